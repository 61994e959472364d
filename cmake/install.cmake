# What `cmake --install` and the Debian package (CPack, below) install: the binary, the compliance profiles,
# the man page and the shell completions. Nothing else is installed (no libraries, headers, tests).
include(GNUInstallDirs)

install(TARGETS meshproof RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# `--profile hipaa` finds share/meshproof/profiles/hipaa.yaml relative to the installed binary
# (tools/meshproof/profile_lookup.cpp; docs/profiles.md).
file(GLOB meshproof_profiles CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/rules/*.yaml)
install(FILES ${meshproof_profiles} DESTINATION ${CMAKE_INSTALL_DATADIR}/meshproof/profiles)

# Completion directories the shells read without configuration. zsh on Debian reads packages' completions
# from /usr/share/zsh/vendor-completions and local installs' from /usr/local/share/zsh/site-functions, so the
# choice follows the prefix at install time (the package installs under /usr).
set(MESHPROOF_BASH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
    CACHE STRING "Where the bash completion is installed (relative to the prefix)")
set(MESHPROOF_ZSH_COMPLETION_DIR ""
    CACHE STRING "Where the zsh completion is installed (relative to the prefix; default: see cmake/install.cmake)")
set(MESHPROOF_FISH_COMPLETION_DIR ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d
    CACHE STRING "Where the fish completion is installed (relative to the prefix)")
set(docs ${CMAKE_BINARY_DIR}/cli-docs)
install(FILES ${docs}/meshproof.1 DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)
install(FILES ${docs}/meshproof.bash DESTINATION ${MESHPROOF_BASH_COMPLETION_DIR} RENAME meshproof)
install(CODE "
  set(zsh_dir \"${MESHPROOF_ZSH_COMPLETION_DIR}\")
  if(NOT zsh_dir AND CMAKE_INSTALL_PREFIX MATCHES \"(^|/)usr/?$\")
    set(zsh_dir ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
  elseif(NOT zsh_dir)
    set(zsh_dir ${CMAKE_INSTALL_DATADIR}/zsh/site-functions)
  endif()
  file(INSTALL \"${docs}/_meshproof\" DESTINATION \"\${CMAKE_INSTALL_PREFIX}/\${zsh_dir}\")")
install(FILES ${docs}/meshproof.fish DESTINATION ${MESHPROOF_FISH_COMPLETION_DIR})

# The Debian package: `cpack -G DEB --config build/CPackConfig.cmake` (or `cmake --build build --target
# package`) writes build/meshproof_<version>_<arch>.deb; scripts/package_test.sh installs it in a fresh root.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME meshproof)
set(CPACK_PACKAGE_VENDOR meshproof)
set(CPACK_PACKAGE_CONTACT "meshproof maintainers <maintainers@meshproof.dev>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "Policy compiler and static analyzer for Istio service-mesh security")
set(CPACK_PACKAGE_DESCRIPTION
    "meshproof reads Istio security configuration (PeerAuthentication, AuthorizationPolicy,\n"
    "RequestAuthentication and the workloads beside them) and proves what it does before it is applied:\n"
    "plaintext accepted in regulated namespaces, rejected resources, rules that never match or allow too\n"
    "much, each with a concrete witness request. Includes compliance profiles (HIPAA, PCI DSS, SOC 2,\n"
    "NIST 800-207), a man page and bash, zsh and fish completions.")
string(REPLACE ";" "" CPACK_PACKAGE_DESCRIPTION "${CPACK_PACKAGE_DESCRIPTION}")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # meshproof_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE https://github.com/meshproof/meshproof)
# Runtime dependencies: dpkg-shlibdeps reads the shared libraries the binary links (libz3-4, libyaml-cpp0.7,
# libre2-9, libstdc++6, libgcc-s1, libc6 on Debian 12) and writes the Depends line with their versions.
# Without dpkg-shlibdeps (dpkg-dev), the list it wrote on Debian 12 is used (the NEEDED entries of
# `objdump -p meshproof`, mapped to packages with `dpkg -S`, are exactly these six).
find_program(MESHPROOF_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(MESHPROOF_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6 (>= 2.34), libgcc-s1 (>= 3.4), libre2-9 (>= 20131024+dfsg), libstdc++6 (>= 11), libyaml-cpp0.7 (>= 0.7.0), libz3-4 (>= 4.8.12)")
endif()
include(CPack)
