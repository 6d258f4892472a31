# Writes charter(1) by running `charter --man`: the page comes from the
# same table as every --help text. Run with -DCHARTER=binary -DOUT=file.
get_filename_component(dir ${OUT} DIRECTORY)
file(MAKE_DIRECTORY ${dir})
execute_process(COMMAND ${CHARTER} --man OUTPUT_FILE ${OUT}.tmp RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  file(REMOVE ${OUT}.tmp)
  message(FATAL_ERROR "charter --man failed (${rc})")
endif()
file(RENAME ${OUT}.tmp ${OUT})
