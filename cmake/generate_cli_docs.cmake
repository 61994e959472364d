# Writes the man page and the bash, zsh and fish completions with `meshproof __man` and
# `meshproof __complete SHELL` (tools/meshproof/cli_docs.cpp), so that they always match the CLI the
# binary parses. Called at build time by tools/CMakeLists.txt: cmake -DMESHPROOF=... -DOUT_DIR=... -P this.
file(MAKE_DIRECTORY "${OUT_DIR}")
foreach(pair "__man;meshproof.1" "__complete;bash;meshproof.bash" "__complete;zsh;_meshproof"
             "__complete;fish;meshproof.fish")
  list(POP_BACK pair file)
  execute_process(COMMAND "${MESHPROOF}" ${pair} OUTPUT_FILE "${OUT_DIR}/${file}.tmp" RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "meshproof ${pair} failed (${rc})")
  endif()
  file(RENAME "${OUT_DIR}/${file}.tmp" "${OUT_DIR}/${file}")
endforeach()
