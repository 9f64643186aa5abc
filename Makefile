# The README's two commands, and a few shortcuts.
#   make demo  — install dependencies, build, run the main job on the bundled demo city
#   make test  — install dependencies, build (release and ASan/UBSan), run every test
.PHONY: all deps build build-debug demo test test-release test-debug format bench clean

JOBS ?= $(shell nproc)
RENCHENG := build/release/apps/rencheng/rencheng
DEMO := examples/demo-city

all: build

deps:
	@scripts/install-deps

build: deps
	@cmake --preset release >/dev/null
	@cmake --build --preset release -j $(JOBS)

build-debug: deps
	@cmake --preset debug >/dev/null
	@cmake --build --preset debug -j $(JOBS)

demo: build
	$(RENCHENG) validate $(DEMO)
	$(RENCHENG) info $(DEMO)
	@mkdir -p runs
	$(RENCHENG) water solve $(DEMO)/water.inp --results runs/demo-city-water.csv
	@rm -rf runs/demo-city-rainstorm  # the demo's own previous run; stress-test never overwrites
	$(RENCHENG) stress-test $(DEMO)/scenarios/rainstorm-50y.toml --out runs/demo-city-rainstorm

test-release: build
	ctest --preset release -j $(JOBS)

test-debug: build-debug
	ctest --preset debug -j $(JOBS)

test: test-release test-debug

format:
	scripts/check-format --fix

bench: build
	@cmake --build --preset release -j $(JOBS) --target benchmarks
	scripts/bench-generate

clean:
	rm -rf build
