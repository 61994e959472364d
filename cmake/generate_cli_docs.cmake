# Writes the man page and the bash, zsh and fish completions with `meshproof __man` and
# `meshproof __complete SHELL` (tools/meshproof/cli_docs.cpp), so that they always match the CLI the
# binary parses. Called at build time by tools/CMakeLists.txt: cmake -DMESHPROOF=... -DOUT_DIR=... -P this.
file(MAKE_DIRECTORY "${OUT_DIR}")
# In the sanitizer build the binary is instrumented: a leak report at exit (CLI11 or libstdc++ internals,
# never the documents' content) must not fail the build; the sanitizer test suite judges leaks.
if(NOT DEFINED ENV{ASAN_OPTIONS})
  set(ENV{ASAN_OPTIONS} "detect_leaks=0")
endif()
foreach(pair "__man;meshproof.1" "__complete;bash;meshproof.bash" "__complete;zsh;_meshproof"
             "__complete;fish;meshproof.fish")
  list(POP_BACK pair file)
  execute_process(COMMAND "${MESHPROOF}" ${pair} OUTPUT_FILE "${OUT_DIR}/${file}.tmp" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "meshproof ${pair} failed (${rc})")
  endif()
  file(RENAME "${OUT_DIR}/${file}.tmp" "${OUT_DIR}/${file}")
endforeach()
