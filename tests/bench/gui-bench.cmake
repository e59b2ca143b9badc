# gui-bench: the window's stalls and frame times while it builds and a log flood arrives
# (issue 6). A program, not a test: tests/bench/gui-bench.sh runs it.
add_executable(gui-bench gui-bench.cpp)
target_link_libraries(gui-bench PRIVATE slipway_ui slipway_uiplugin slipway_test_harness Qt6::Quick Qt6::QuickControls2 slipway_flags)
