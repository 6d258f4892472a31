# Thin wrapper over CMake: the commands a person types. See README.md.
BUILD      ?= build
SAN_BUILD  ?= build-san
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
# Many tests spend their time waiting (on a browser, a server, a kill),
# so one more test than there are cores keeps the cores busy.
TEST_JOBS  ?= $(shell echo $$(( $$(nproc 2>/dev/null || echo 2) + 1 )))
CMAKE_ARGS ?=

.PHONY: all deps build web run install check check-plain check-san bench format clean

all: build

deps:
	@./deps/install.sh

$(BUILD)/CMakeCache.txt:
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt web
	cmake --build $(BUILD) -j $(JOBS)

# The browser desk: type-checked, then bundled by esbuild into web/dist.
web: deps
	cd web && npm run --silent check && npm run --silent build

# The case desk on ./charter.db, with demonstration data on first run.
run: build
	@./scripts/run.sh $(BUILD)/charter

# The binary and its manual page, charter(1), under PREFIX (default /usr/local).
PREFIX ?= /usr/local
install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

# The kill -9 campaigns run their twenty rounds in the plain build; under
# the sanitizers, which make each round several times slower, five.
SAN_KILL_ROUNDS ?= 5

check: deps check-plain check-san
	@echo "make check: all suites passed (plain and ASan+UBSan)"

# The browser tests (label "browser") run once, in check-san, against the
# sanitized server: chromium is most of their cost, and the same pages
# against an instrumented server are the stronger test. `ctest -L browser`
# in $(BUILD) runs them against the plain one.
check-plain: build
	cd $(BUILD) && ctest --output-on-failure -j $(TEST_JOBS) -LE browser

# The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer,
# built with clang so the libFuzzer harnesses run too.
check-san: deps web
	CC=clang cmake -S . -B $(SAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DCHARTER_SANITIZE=ON \
	    -DCHARTER_FUZZ=ON $(CMAKE_ARGS)
	cmake --build $(SAN_BUILD) -j $(JOBS)
	cd $(SAN_BUILD) && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
	    CHARTER_KILL_ROUNDS=$(SAN_KILL_ROUNDS) CHARTER_E2E_SHOTS=0 \
	    ctest --output-on-failure -j $(TEST_JOBS)

bench: build
	./$(BUILD)/bench_worktime policies/cognus.yaml policies/*.yaml
	./$(BUILD)/bench_statement policies/beacon.yaml
	./$(BUILD)/bench_timetable
	./bench/api.sh $(BUILD)/charter $(BUILD)/bench_fsync
	./bench/lists.sh $(BUILD)/charter
	./bench/mail.sh $(BUILD)/charter
	./bench/themes.sh $(BUILD)/charter
	./bench/survey.sh $(BUILD)/charter
	./bench/audit.sh $(BUILD)/charter
	./bench/signin.sh $(BUILD)/charter
	./$(BUILD)/tests/power_loss --rounds 1000

format:
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf $(BUILD) $(SAN_BUILD)
