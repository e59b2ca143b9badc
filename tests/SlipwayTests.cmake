# slipway_add_test(NAME SOURCES file.cpp... LIBRARIES lib... LABEL unit|ui|integration [TIMEOUT s])
function(slipway_add_test name)
    cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;LIBRARIES;ENVIRONMENT" ${ARGN})
    add_executable(${name} ${ARG_SOURCES})
    target_link_libraries(${name} PRIVATE Qt6::Test slipway_flags ${ARG_LIBRARIES})
    target_compile_definitions(${name} PRIVATE
        SLIPWAY_TEST_DATA="${CMAKE_SOURCE_DIR}/tests/data"
        SLIPWAY_BINARY_DIR="${CMAKE_BINARY_DIR}"
        SLIPWAY_CLI="$<TARGET_FILE:slipway-cli>"
        SLIPWAY_GUI="$<TARGET_FILE:slipway>")
    add_test(NAME ${name} COMMAND ${name})
    if(NOT ARG_TIMEOUT)
        set(ARG_TIMEOUT 300)
    endif()
    set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABEL}" TIMEOUT ${ARG_TIMEOUT}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;${ARG_ENVIRONMENT}")
endfunction()
