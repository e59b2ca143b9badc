# slipway_add_test(NAME SOURCES file.cpp... LIBRARIES lib... LABEL unit|ui|integration [TIMEOUT s] [ROOT])
# ROOT: the test needs root, and carries the label "root" too: it starts Docker Engine (a root
# daemon), deploys to rootful Podman (rootless Podman publishes ports through /dev/net/tun,
# which a normal user may not open on every machine), or mounts a file system. A normal user's
# `./slipway.sh test` leaves these out (ctest -LE root).
function(slipway_add_test name)
    cmake_parse_arguments(ARG "ROOT" "LABEL;TIMEOUT" "SOURCES;LIBRARIES;ENVIRONMENT" ${ARGN})
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
    set(labels ${ARG_LABEL})
    if(ARG_ROOT)
        list(APPEND labels root)
    endif()
    set_tests_properties(${name} PROPERTIES LABELS "${labels}" TIMEOUT ${ARG_TIMEOUT}
        ENVIRONMENT "QT_QPA_PLATFORM=offscreen;${ARG_ENVIRONMENT}")
endfunction()
