//===- Library.cpp - libtl: the library API in one shared library ----------===//
//
// Everything in libtl comes from the static libraries linked in whole
// (lib/Shared/CMakeLists.txt); this file only gives the shared library a
// source of its own.
//
//===----------------------------------------------------------------------===//

#include "tl/API/Executable.h"
