# -*- Python -*-
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "TL"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".json", ".test"]
config.excludes = ["Inputs", "Conformance", "Streaming", "CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.tl_obj_root, "test")

# Stricter FileCheck: variables do not leak across CHECK-LABELs.
config.environment["FILECHECK_OPTS"] = "-enable-var-scope --allow-unused-prefixes=false"

# The build tree's compile cache, never the user's.
config.environment["TL_CACHE_DIR"] = config.tl_test_cache_dir

llvm_config.use_default_substitutions()
# `not` at the start of a RUN line is not substituted; find it on PATH.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
tool_dirs = [os.path.join(config.tl_obj_root, "bin"), config.llvm_tools_dir]
llvm_config.add_tool_substitutions(
    ["tl-opt", "tl-translate", "tl-jit", "tl-compile", "tl-run"], tool_dirs)
config.substitutions.append(("%numpy_python", config.tl_numpy_python))
config.substitutions.append(("%shared", config.tl_shared_dir))
config.substitutions.append(("%tl_src", config.tl_src_root))
config.substitutions.append(("%tl_bin", os.path.join(config.tl_obj_root, "bin")))
config.substitutions.append(("%tl_lib", os.path.join(config.tl_obj_root, "lib")))
