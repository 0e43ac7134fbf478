// doctest's main for the unit-test binary (build/bin/unit_tests).
#define DOCTEST_CONFIG_IMPLEMENT_WITH_MAIN
#include <doctest/doctest.h>
