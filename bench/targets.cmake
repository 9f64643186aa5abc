# Benchmark targets; each module's owner adds its own lines here.
add_executable(bench_core bench_core.cpp)
target_link_libraries(bench_core PRIVATE rencheng::core benchmark::benchmark)
add_executable(bench_generate bench_generate.cpp)
target_link_libraries(bench_generate PRIVATE rencheng::citygen benchmark::benchmark)
add_executable(bench_water_inp bench_water_inp.cpp)
target_link_libraries(bench_water_inp PRIVATE rencheng::water benchmark::benchmark)
target_compile_definitions(bench_water_inp PRIVATE RENCHENG_SOURCE_DIR="${PROJECT_SOURCE_DIR}")
