//===- GpuModuleTest.cpp - GPU launch plans and modules without a GPU -----===//
//
// What holds on every machine: the launch plan's file form round-trips and
// corrupt plans are errors that say where; a GPU module where there is no
// driver loads as a module that can be saved but not run, and says why.
// On a machine with a GPU the driver tests skip (gpu-check.sh runs there).
//
//===----------------------------------------------------------------------===//

#include "tl/Runtime/Cuda.h"
#include "tl/Runtime/GpuPlan.h"
#include "tl/Runtime/Module.h"

#include <gtest/gtest.h>

using namespace tl::runtime;

namespace {

GpuPlan samplePlan() {
  GpuPlan plan;
  plan.images.push_back({"main_kernel", "ptx", ".version 8.0\n.target sm_90\n"});
  plan.images.push_back({"k1", "cubin", std::string("\x7f" "ELF\0\n\x01 end\n", 12)});
  GpuPlan::BufferSpec arg, result, temp, constant;
  arg.kind = GpuPlan::BufferSpec::Kind::arg;
  arg.bytes = 48;
  result.kind = GpuPlan::BufferSpec::Kind::result;
  result.index = 0;
  result.bytes = 48;
  temp.bytes = 4096;
  constant.kind = GpuPlan::BufferSpec::Kind::constant;
  constant.data = std::string("\0\0\x80?\n\n\0\0", 8);
  constant.bytes = 8;
  plan.buffers = {arg, result, temp, constant};
  GpuPlan::Launch l;
  l.image = 1;
  l.kernel = "main_kernel";
  l.grid = {2, 64, 1};
  l.block = {256, 1, 1};
  l.buffers = {0, 3, 2, 1};
  plan.launches.push_back(l);
  return plan;
}

TEST(GpuPlanTest, RoundTripKeepsEveryByte) {
  GpuPlan plan = samplePlan();
  auto parsed = parseGpuPlan(serializeGpuPlan(plan), "m.tlm");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  ASSERT_EQ(parsed->images.size(), 2u);
  EXPECT_EQ(parsed->images[1].bytes, plan.images[1].bytes);
  EXPECT_EQ(parsed->images[1].format, "cubin");
  ASSERT_EQ(parsed->buffers.size(), 4u);
  EXPECT_EQ(parsed->buffers[3].data, plan.buffers[3].data);
  EXPECT_EQ(parsed->buffers[2].bytes, 4096);
  EXPECT_EQ(parsed->buffers[1].kind, GpuPlan::BufferSpec::Kind::result);
  ASSERT_EQ(parsed->launches.size(), 1u);
  EXPECT_EQ(parsed->launches[0].grid[1], 64);
  EXPECT_EQ(parsed->launches[0].block[0], 256);
  EXPECT_EQ(parsed->launches[0].buffers, (std::vector<size_t>{0, 3, 2, 1}));
}

TEST(GpuPlanTest, CorruptPlansSayWhatIsWrong) {
  std::string good = serializeGpuPlan(samplePlan());
  auto error = [](std::string_view bytes) {
    auto p = parseGpuPlan(bytes, "m.tlm");
    EXPECT_FALSE(p.ok());
    return p.ok() ? std::string() : std::string(p.status().message());
  };
  EXPECT_NE(error("nonsense").find("m.tlm: the GPU launch plan is corrupt (no "
                                   "'tl-gpu-plan' header"),
            std::string::npos);
  EXPECT_NE(error("tl-gpu-plan 7\nend\n").find("version 7"), std::string::npos);
  // Cut anywhere: an error, never a crash or a read past the end.
  for (size_t n = 0; n + 1 < good.size(); n += 7)
    EXPECT_FALSE(parseGpuPlan(good.substr(0, n), "m.tlm").ok()) << n;
  std::string badBuffer = good;
  badBuffer.replace(badBuffer.find(" 0 3 2 1"), 8, " 0 3 2 9");
  EXPECT_NE(error(badBuffer).find("a launch of an unknown buffer"),
            std::string::npos);
  std::string zeroGrid = good;
  zeroGrid.replace(zeroGrid.find(" 2 64 1 "), 8, " 0 64 1 ");
  EXPECT_NE(error(zeroGrid).find("bad grid or block size"), std::string::npos);
}

TEST(GpuModuleTest, WithoutADriverTheModuleSaysWhyItCannotRun) {
  if (cuda::driverInfo().ok())
    GTEST_SKIP() << "this machine has a GPU (gpu-check.sh tests it)";
  ModuleManifest manifest;
  manifest.compiler = "tl test";
  manifest.triple = "nvptx64-nvidia-cuda";
  manifest.cpu = "sm_90";
  manifest.entry = "main";
  manifest.options = {{"backend", "cuda"}};
  manifest.signature.args.push_back({"x", "x", std::nullopt, {12}, {}});
  manifest.signature.results.push_back({"y", {12}});
  std::string plan = serializeGpuPlan(samplePlan());
  auto created = Module::create(manifest, plan);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE((*created)->onGpu());
  ASSERT_FALSE((*created)->runnable().ok());
  std::string why((*created)->runnable().message());
  EXPECT_NE(why.find("compiled for an NVIDIA GPU (sm_90) and cannot run here"),
            std::string::npos)
      << why;
  // It still saves (a cross-compile), and loading it refuses to run it.
  auto again = Module::loadBytes((*created)->serialize(), "m.tlm");
  ASSERT_FALSE(again.ok());
  EXPECT_NE(std::string(again.status().message()).find("m.tlm: "),
            std::string::npos);
  // A run through the module is the same error, not a crash.
  Buffer x = Buffer::allocate(DType::f64, {12});
  auto run = (*created)->run({{"x", &x}});
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.status().message(), why);
}

TEST(GpuModuleTest, DriverInfoIsAnErrorOrDevices) {
  auto info = cuda::driverInfo();
  if (!info.ok()) {
    std::string why(info.status().message());
    EXPECT_TRUE(why.find("CUDA driver") != std::string::npos ||
                why.find("cu") == 0)
        << why;
    return;
  }
  ASSERT_FALSE(info->devices.empty());
  EXPECT_GT(info->version, 0);
  for (const cuda::DeviceInfo &d : info->devices) {
    EXPECT_FALSE(d.name.empty());
    EXPECT_GT(d.multiprocessors, 0);
    EXPECT_EQ(d.arch().rfind("sm_", 0), 0u);
  }
}

} // namespace
