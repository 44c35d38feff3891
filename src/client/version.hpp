// The client's version: default_version of trovella_migrate.control, passed in by CMake.
#pragma once

#ifndef TROVELLA_VERSION
#error "TROVELLA_VERSION must be defined by the build (CMake reads it from trovella_migrate.control)"
#endif

namespace trovella::client {
inline constexpr const char* kClientVersion = TROVELLA_VERSION;
inline constexpr const char* kProgram = "trovella-migrate";
}  // namespace trovella::client
