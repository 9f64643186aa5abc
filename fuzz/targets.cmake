# Fuzz targets, one per parser. Each module's owner adds its own lines here.
rencheng_add_fuzzer(fuzz_csv SOURCES fuzz_csv.cpp DEPS rencheng::core
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/csv)
rencheng_add_fuzzer(fuzz_json SOURCES fuzz_json.cpp DEPS rencheng::core
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/json)
rencheng_add_fuzzer(fuzz_roads_geojson SOURCES fuzz_roads_geojson.cpp DEPS rencheng::transport
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/roads)
rencheng_add_fuzzer(fuzz_city_toml SOURCES fuzz_city_toml.cpp DEPS rencheng::model
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/toml)
rencheng_add_fuzzer(fuzz_terrain SOURCES fuzz_terrain.cpp DEPS rencheng::model
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/terrain)
rencheng_add_fuzzer(fuzz_dependencies SOURCES fuzz_dependencies.cpp DEPS rencheng::model
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/dependencies)
rencheng_add_fuzzer(fuzz_epanet_inp SOURCES fuzz_epanet_inp.cpp DEPS rencheng::water
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/epanet_inp)
rencheng_add_fuzzer(fuzz_matpower SOURCES fuzz_matpower.cpp DEPS rencheng::power
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/matpower)
rencheng_add_fuzzer(fuzz_tntp SOURCES fuzz_tntp.cpp DEPS rencheng::transport
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/tntp)
rencheng_add_fuzzer(fuzz_swmm_inp SOURCES fuzz_swmm_inp.cpp DEPS rencheng::drainage
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/swmm_inp)
rencheng_add_fuzzer(fuzz_fragility_json SOURCES fuzz_fragility_json.cpp DEPS rencheng::hazard
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/fragility_json)
rencheng_add_fuzzer(fuzz_hazard_text SOURCES fuzz_hazard_text.cpp DEPS rencheng::hazard
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/hazard_text)
rencheng_add_fuzzer(fuzz_roads_csv SOURCES fuzz_roads_csv.cpp DEPS rencheng::transport
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/roads_csv)
rencheng_add_fuzzer(fuzz_osm_xml SOURCES fuzz_osm_xml.cpp DEPS rencheng::transport
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/osm_xml)
rencheng_add_fuzzer(fuzz_gaslib_xml SOURCES fuzz_gaslib_xml.cpp DEPS rencheng::gas
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/gaslib_xml)
rencheng_add_fuzzer(fuzz_gas_geojson SOURCES fuzz_gas_geojson.cpp DEPS rencheng::gas
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/gas_geojson)
rencheng_add_fuzzer(fuzz_clip_geojson SOURCES fuzz_clip_geojson.cpp DEPS rencheng::transport
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/clip_geojson)
rencheng_add_fuzzer(fuzz_ncdc_rain SOURCES fuzz_ncdc_rain.cpp DEPS rencheng::drainage
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/ncdc_rain)
rencheng_add_fuzzer(fuzz_swmm_series_file SOURCES fuzz_swmm_series_file.cpp DEPS rencheng::drainage
                    CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/swmm_series_file)
rencheng_add_fuzzer(fuzz_swmm_interface_file SOURCES fuzz_swmm_interface_file.cpp
                    DEPS rencheng::drainage CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/swmm_interface_file)
rencheng_add_fuzzer(fuzz_swmm_hotstart_file SOURCES fuzz_swmm_hotstart_file.cpp
                    DEPS rencheng::drainage CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/swmm_hotstart_file)
rencheng_add_fuzzer(fuzz_swmm_runoff_file SOURCES fuzz_swmm_runoff_file.cpp
                    DEPS rencheng::drainage CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/swmm_runoff_file)
rencheng_add_fuzzer(fuzz_swmm_climate_file SOURCES fuzz_swmm_climate_file.cpp
                    DEPS rencheng::drainage CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/swmm_climate_file)
rencheng_add_fuzzer(fuzz_swmm_rainfall_file SOURCES fuzz_swmm_rainfall_file.cpp
                    DEPS rencheng::drainage CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/swmm_rainfall_file)
rencheng_add_fuzzer(fuzz_swmm_rdii_file SOURCES fuzz_swmm_rdii_file.cpp
                    DEPS rencheng::drainage CORPUS ${CMAKE_CURRENT_SOURCE_DIR}/corpus/swmm_rdii_file)
