//===- ObjectLoader.cpp - load a relocatable object into memory -----------===//
//
// Layout: one anonymous mapping holds three page-aligned groups, code
// (with a jump stub per external function), read-only data (with a GOT
// slot per external symbol) and writable data, so every PC-relative
// reference of the small code model stays within +-2 GiB. The compiler
// emits position-independent code, so the relocations are PC32, PLT32,
// GOTPCREL(X) and the 64-bit absolute and relative forms; anything else is
// refused by name.
//
//===----------------------------------------------------------------------===//

#include "tl/Runtime/ObjectLoader.h"

#include "tl/Runtime/RuntimeABI.h"

#include <dlfcn.h>
#include <elf.h>
#include <sys/mman.h>
#include <unistd.h>

#include <cstring>
#include <limits>
#include <optional>
#include <vector>

using namespace tl::runtime;

void *tl::runtime::resolveRuntimeSymbol(std::string_view name) {
  static const auto table = [] {
    std::map<std::string, void *, std::less<>> t;
    for (auto [n, address] : runtimeSymbols())
      t[n] = address;
    return t;
  }();
  if (auto it = table.find(name); it != table.end())
    return it->second;
  return dlsym(RTLD_DEFAULT, std::string(name).c_str());
}

namespace {
absl::Status bad(const std::string &msg) {
  return absl::InvalidArgumentError("object code: " + msg);
}

/// a + b, or false when it overflows or exceeds `limit`.
bool addWithin(uint64_t a, uint64_t b, uint64_t limit, uint64_t &out) {
  if (a > std::numeric_limits<uint64_t>::max() - b)
    return false;
  out = a + b;
  return out <= limit;
}

uint64_t alignUp(uint64_t v, uint64_t a) { return (v + a - 1) / a * a; }

enum Group { kCode, kReadOnly, kWritable, kNumGroups };

struct Placed {
  bool loaded = false;
  Group group = kCode;
  uint64_t offset = 0; // within the group
};
} // namespace

LoadedObject::~LoadedObject() {
  if (base)
    munmap(base, size);
}

void *LoadedObject::lookup(std::string_view name) const {
  auto it = symbols.find(name);
  return it == symbols.end() ? nullptr : it->second;
}

absl::StatusOr<std::unique_ptr<LoadedObject>>
LoadedObject::load(std::string_view elf, const SymbolResolver &resolve) {
  const auto *bytes = reinterpret_cast<const uint8_t *>(elf.data());
  const uint64_t fileSize = elf.size();
  Elf64_Ehdr eh;
  if (fileSize < sizeof(eh))
    return bad("truncated ELF header");
  std::memcpy(&eh, bytes, sizeof(eh));
  if (std::memcmp(eh.e_ident, ELFMAG, SELFMAG) != 0)
    return bad("not an ELF file");
  if (eh.e_ident[EI_CLASS] != ELFCLASS64 || eh.e_ident[EI_DATA] != ELFDATA2LSB)
    return bad("not a 64-bit little-endian ELF object");
  if (eh.e_type != ET_REL)
    return bad("not a relocatable object (ELF type " +
               std::to_string(eh.e_type) + ")");
  if (eh.e_machine != EM_X86_64)
    return bad("compiled for ELF machine " + std::to_string(eh.e_machine) +
               "; this runtime loads x86-64 code only");
  if (eh.e_shentsize != sizeof(Elf64_Shdr) || eh.e_shnum == 0 ||
      eh.e_shstrndx >= eh.e_shnum)
    return bad("malformed section header table");
  uint64_t tableEnd;
  if (!addWithin(eh.e_shoff, uint64_t(eh.e_shnum) * sizeof(Elf64_Shdr),
                 fileSize, tableEnd))
    return bad("section header table outside the file");
  std::vector<Elf64_Shdr> sh(eh.e_shnum);
  std::memcpy(sh.data(), bytes + eh.e_shoff, sh.size() * sizeof(Elf64_Shdr));
  for (const Elf64_Shdr &s : sh) {
    uint64_t end;
    if (s.sh_type != SHT_NOBITS && !addWithin(s.sh_offset, s.sh_size, fileSize, end))
      return bad("a section lies outside the file");
    if (s.sh_addralign > 4096 || (s.sh_addralign & (s.sh_addralign - 1)))
      return bad("a section has an unsupported alignment");
    if (s.sh_size > (uint64_t(1) << 32))
      return bad("a section is larger than 4 GiB");
  }

  // The symbol table (exactly one in a relocatable object).
  int symtab = -1;
  for (size_t i = 0; i < sh.size(); ++i)
    if (sh[i].sh_type == SHT_SYMTAB) {
      if (symtab >= 0)
        return bad("more than one symbol table");
      symtab = static_cast<int>(i);
    }
  if (symtab < 0)
    return bad("no symbol table");
  const Elf64_Shdr &st = sh[symtab];
  if (st.sh_entsize != sizeof(Elf64_Sym) || st.sh_link >= sh.size() ||
      sh[st.sh_link].sh_type != SHT_STRTAB)
    return bad("malformed symbol table");
  size_t numSyms = st.sh_size / sizeof(Elf64_Sym);
  // Every symbol table starts with the null symbol.
  if (numSyms == 0)
    return bad("empty symbol table");
  std::vector<Elf64_Sym> syms(numSyms);
  std::memcpy(syms.data(), bytes + st.sh_offset, numSyms * sizeof(Elf64_Sym));
  const Elf64_Shdr &strtab = sh[st.sh_link];
  auto symName = [&](const Elf64_Sym &s) -> std::optional<std::string_view> {
    if (s.st_name >= strtab.sh_size)
      return std::nullopt;
    const char *p = reinterpret_cast<const char *>(bytes + strtab.sh_offset);
    const void *nul = std::memchr(p + s.st_name, 0, strtab.sh_size - s.st_name);
    if (!nul)
      return std::nullopt;
    return std::string_view(p + s.st_name,
                            static_cast<const char *>(nul) - (p + s.st_name));
  };

  // Place the allocatable sections. Unwind tables are not loaded: nothing
  // unwinds through generated code.
  std::vector<Placed> placed(sh.size());
  uint64_t groupSize[kNumGroups] = {0, 0, 0};
  for (size_t i = 0; i < sh.size(); ++i) {
    const Elf64_Shdr &s = sh[i];
    if (!(s.sh_flags & SHF_ALLOC) || s.sh_type == SHT_X86_64_UNWIND)
      continue;
    if (s.sh_flags & SHF_TLS)
      return bad("thread-local storage is not supported");
    if ((s.sh_type == SHT_INIT_ARRAY || s.sh_type == SHT_FINI_ARRAY ||
         s.sh_type == SHT_PREINIT_ARRAY) && s.sh_size)
      return bad("static constructors are not supported");
    Group g = (s.sh_flags & SHF_EXECINSTR) ? kCode
              : (s.sh_flags & SHF_WRITE)   ? kWritable
                                           : kReadOnly;
    uint64_t align = s.sh_addralign ? s.sh_addralign : 1;
    placed[i] = {true, g, alignUp(groupSize[g], align)};
    groupSize[g] = placed[i].offset + s.sh_size;
  }

  // One GOT slot and one jump stub per undefined symbol that is referenced.
  std::vector<int64_t> external(numSyms, -1);
  std::vector<void *> externalAddress;
  for (size_t i = 1; i < numSyms; ++i) {
    const Elf64_Sym &s = syms[i];
    if (s.st_shndx != SHN_UNDEF || ELF64_ST_TYPE(s.st_info) == STT_SECTION)
      continue;
    auto name = symName(s);
    if (!name)
      return bad("a symbol name lies outside the string table");
    if (name->empty())
      continue;
    void *address = resolve(*name);
    if (!address && ELF64_ST_BIND(s.st_info) != STB_WEAK)
      return bad("undefined symbol '" + std::string(*name) +
                 "' (not a runtime entry point, nor in the process)");
    external[i] = static_cast<int64_t>(externalAddress.size());
    externalAddress.push_back(address);
  }
  // GOT slots: the external symbols first (their stubs jump through them),
  // then symbols of the object that code reaches through the GOT.
  std::vector<int64_t> gotSlot(numSyms, -1);
  for (size_t i = 0; i < numSyms; ++i)
    gotSlot[i] = external[i];
  std::vector<size_t> gotDefined;
  for (size_t r = 0; r < sh.size(); ++r) {
    const Elf64_Shdr &rs = sh[r];
    if (rs.sh_type != SHT_RELA || rs.sh_info >= sh.size() ||
        !placed[rs.sh_info].loaded || rs.sh_entsize != sizeof(Elf64_Rela))
      continue;
    for (size_t j = 0; j < rs.sh_size / sizeof(Elf64_Rela); ++j) {
      Elf64_Rela rel;
      std::memcpy(&rel, bytes + rs.sh_offset + j * sizeof(Elf64_Rela),
                  sizeof(rel));
      uint32_t type = ELF64_R_TYPE(rel.r_info);
      uint64_t sym = ELF64_R_SYM(rel.r_info);
      if ((type == R_X86_64_GOTPCREL || type == R_X86_64_GOTPCRELX ||
           type == R_X86_64_REX_GOTPCRELX) &&
          sym < numSyms && gotSlot[sym] < 0) {
        gotSlot[sym] =
            static_cast<int64_t>(externalAddress.size() + gotDefined.size());
        gotDefined.push_back(sym);
      }
    }
  }
  const uint64_t kStub = 8; // jmp *slot(%rip), padded
  uint64_t stubsAt = alignUp(groupSize[kCode], 16);
  groupSize[kCode] = stubsAt + externalAddress.size() * kStub;
  uint64_t gotAt = alignUp(groupSize[kReadOnly], 8);
  groupSize[kReadOnly] =
      gotAt + (externalAddress.size() + gotDefined.size()) * 8;

  const uint64_t page = static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
  uint64_t groupAt[kNumGroups];
  uint64_t total = 0;
  for (int g = 0; g < kNumGroups; ++g) {
    groupAt[g] = total;
    total += alignUp(groupSize[g], page);
  }
  if (total == 0)
    return bad("no code");
  void *mem = mmap(nullptr, total, PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (mem == MAP_FAILED)
    return absl::ResourceExhaustedError("cannot map " + std::to_string(total) +
                                        " bytes for object code");
  std::unique_ptr<LoadedObject> object(new LoadedObject());
  object->base = mem;
  object->size = total;
  auto *image = static_cast<uint8_t *>(mem);
  auto sectionAddress = [&](size_t i) {
    return image + groupAt[placed[i].group] + placed[i].offset;
  };
  for (size_t i = 0; i < sh.size(); ++i)
    if (placed[i].loaded && sh[i].sh_type != SHT_NOBITS)
      std::memcpy(sectionAddress(i), bytes + sh[i].sh_offset, sh[i].sh_size);
  uint8_t *got = image + groupAt[kReadOnly] + gotAt;
  uint8_t *stubs = image + groupAt[kCode] + stubsAt;
  for (size_t k = 0; k < externalAddress.size(); ++k) {
    std::memcpy(got + 8 * k, &externalAddress[k], 8);
    uint8_t *stub = stubs + kStub * k;
    int32_t rel = static_cast<int32_t>((got + 8 * k) - (stub + 6));
    stub[0] = 0xff; // jmp *rel(%rip)
    stub[1] = 0x25;
    std::memcpy(stub + 2, &rel, 4);
    stub[6] = stub[7] = 0xcc;
  }

  // A symbol's address: S in the relocation formulas.
  auto symbolAddress = [&](size_t i, bool &ok) -> uint64_t {
    ok = true;
    const Elf64_Sym &s = syms[i];
    if (s.st_shndx == SHN_UNDEF)
      return external[i] >= 0
                 ? reinterpret_cast<uint64_t>(externalAddress[external[i]])
                 : 0;
    if (s.st_shndx == SHN_ABS)
      return s.st_value;
    if (s.st_shndx >= sh.size() || !placed[s.st_shndx].loaded ||
        s.st_value > sh[s.st_shndx].sh_size) {
      ok = false;
      return 0;
    }
    return reinterpret_cast<uint64_t>(sectionAddress(s.st_shndx)) + s.st_value;
  };

  for (size_t k = 0; k < gotDefined.size(); ++k) {
    bool ok;
    uint64_t address = symbolAddress(gotDefined[k], ok);
    if (!ok)
      return bad("a GOT entry refers to a symbol in a section not loaded");
    std::memcpy(got + 8 * (externalAddress.size() + k), &address, 8);
  }

  for (size_t r = 0; r < sh.size(); ++r) {
    const Elf64_Shdr &rs = sh[r];
    if (rs.sh_type == SHT_REL)
      return bad("REL relocations are not supported");
    if (rs.sh_type != SHT_RELA)
      continue;
    if (rs.sh_info >= sh.size() || rs.sh_link != static_cast<uint32_t>(symtab) ||
        rs.sh_entsize != sizeof(Elf64_Rela))
      return bad("malformed relocation section");
    if (!placed[rs.sh_info].loaded)
      continue; // relocations of a section not loaded (unwind tables)
    const Elf64_Shdr &target = sh[rs.sh_info];
    if (target.sh_type == SHT_NOBITS)
      return bad("relocations against a section without data");
    uint8_t *targetAt = sectionAddress(rs.sh_info);
    size_t n = rs.sh_size / sizeof(Elf64_Rela);
    for (size_t j = 0; j < n; ++j) {
      Elf64_Rela rel;
      std::memcpy(&rel, bytes + rs.sh_offset + j * sizeof(Elf64_Rela),
                  sizeof(rel));
      uint32_t type = ELF64_R_TYPE(rel.r_info);
      uint64_t symIndex = ELF64_R_SYM(rel.r_info);
      if (symIndex >= numSyms)
        return bad("a relocation names a symbol out of range");
      uint64_t width = (type == R_X86_64_64 || type == R_X86_64_PC64) ? 8 : 4;
      uint64_t end;
      if (!addWithin(rel.r_offset, width, target.sh_size, end))
        return bad("a relocation lies outside its section");
      uint8_t *place = targetAt + rel.r_offset;
      uint64_t P = reinterpret_cast<uint64_t>(place);
      int64_t A = rel.r_addend;
      bool ok;
      uint64_t S = symbolAddress(symIndex, ok);
      if (!ok)
        return bad("a relocation refers to a symbol in a section not loaded");
      bool isExternal = external[symIndex] >= 0;
      auto put32 = [&](int64_t value) -> absl::Status {
        if (value < std::numeric_limits<int32_t>::min() ||
            value > std::numeric_limits<int32_t>::max())
          return bad("a 32-bit relocation overflows");
        int32_t v = static_cast<int32_t>(value);
        std::memcpy(place, &v, 4);
        return absl::OkStatus();
      };
      absl::Status status;
      switch (type) {
      case R_X86_64_NONE:
        break;
      case R_X86_64_64: {
        uint64_t v = S + A;
        std::memcpy(place, &v, 8);
        break;
      }
      case R_X86_64_PC64: {
        uint64_t v = S + A - P;
        std::memcpy(place, &v, 8);
        break;
      }
      case R_X86_64_PLT32:
      case R_X86_64_PC32:
        if (isExternal) {
          if (type == R_X86_64_PC32 &&
              ELF64_ST_TYPE(syms[symIndex].st_info) != STT_FUNC &&
              ELF64_ST_TYPE(syms[symIndex].st_info) != STT_NOTYPE)
            return bad("a PC-relative reference to external data");
          S = reinterpret_cast<uint64_t>(stubs + kStub * external[symIndex]);
        }
        status = put32(static_cast<int64_t>(S + A - P));
        break;
      case R_X86_64_GOTPCREL:
      case R_X86_64_GOTPCRELX:
      case R_X86_64_REX_GOTPCRELX:
        status = put32(static_cast<int64_t>(
            reinterpret_cast<uint64_t>(got + 8 * gotSlot[symIndex]) + A - P));
        break;
      default:
        return bad("relocation type " + std::to_string(type) +
                   " is not supported");
      }
      if (!status.ok())
        return status;
    }
  }

  for (size_t i = 1; i < numSyms; ++i) {
    const Elf64_Sym &s = syms[i];
    unsigned bind = ELF64_ST_BIND(s.st_info);
    if (s.st_shndx == SHN_UNDEF || (bind != STB_GLOBAL && bind != STB_WEAK))
      continue;
    auto name = symName(s);
    bool ok;
    uint64_t address = symbolAddress(i, ok);
    if (name && ok && !name->empty())
      object->symbols[std::string(*name)] = reinterpret_cast<void *>(address);
  }

  if (groupSize[kCode] &&
      mprotect(image + groupAt[kCode], alignUp(groupSize[kCode], page),
               PROT_READ | PROT_EXEC) != 0)
    return absl::InternalError("cannot make object code executable");
  if (groupSize[kReadOnly] &&
      mprotect(image + groupAt[kReadOnly], alignUp(groupSize[kReadOnly], page),
               PROT_READ) != 0)
    return absl::InternalError("cannot protect object data");
  return object;
}
