# Sample Maven projects for Surefire with JUnit 5 (sourced by capture-runner-fixtures.sh). Maven
# runs offline (-o), so the plugins and JUnit must already be in the local repository
# (~/.m2/repository); the script skips the runner when they are not.
# Shapes: passing = 4 passing tests in 2 classes; failing = 3 passing, 1 failing assertion and
# 1 error (an exception); skipping = 2 passing, 2 @Disabled and 1 failed assumption; empty = a
# project without test classes.

MAVEN_POM='<?xml version="1.0" encoding="UTF-8"?>
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>com.example</groupId>
  <artifactId>sample</artifactId>
  <version>1.0</version>
  <properties>
    <maven.compiler.release>17</maven.compiler.release>
    <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
  </properties>
  <dependencies>
    <dependency>
      <groupId>org.junit.jupiter</groupId>
      <artifactId>junit-jupiter</artifactId>
      <version>5.10.2</version>
      <scope>test</scope>
    </dependency>
  </dependencies>
  <build>
    <plugins>
      <plugin><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
      <plugin><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
      <plugin><artifactId>maven-surefire-plugin</artifactId><version>3.2.5</version></plugin>
    </plugins>
  </build>
</project>'

# java_class DIR NAME BODY: a JUnit 5 test class in src/test/java.
java_class() {
  mkdir -p "$1/src/test/java/com/example"
  cat >"$1/src/test/java/com/example/$2.java" <<EOF
package com.example;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;

class $2 {
$3
}
EOF
}

maven_project() {
  local dir
  dir=$(project "$1")
  mkdir -p "$dir/src/main/java/com/example"
  printf '%s\n' "$MAVEN_POM" >"$dir/pom.xml"
  printf 'package com.example;\n\npublic class Calc {\n    public static int add(int a, int b) { return a + b; }\n}\n' \
    >"$dir/src/main/java/com/example/Calc.java"
  printf '%s' "$dir"
}

capture_surefire() {
  command -v mvn >/dev/null || { echo "mvn is not installed; skipping the Surefire fixtures" >&2; return; }
  local dir
  dir=$(maven_project java-passing)
  java_class "$dir" MathTest '    @Test void adds() { assertEquals(2, Calc.add(1, 1)); }
    @Test void addsZero() { assertEquals(0, Calc.add(0, 0)); }
    @Test void addsNegative() { assertEquals(0, Calc.add(-1, 1)); }'
  java_class "$dir" TextTest '    @Test void joins() { assertEquals("ab", "a" + "b"); }'
  dir=$(maven_project java-failing)
  java_class "$dir" MathTest '    @Test void adds() { assertEquals(2, Calc.add(1, 1)); }
    @Test void addsWrong() { assertEquals(3, Calc.add(1, 1), "expected 3"); }
    @Test void addsNegative() { assertEquals(0, Calc.add(-1, 1)); }'
  java_class "$dir" TextTest '    @Test void joins() { assertEquals("ab", "a" + "b"); }
    @Test void throwsUp() { throw new IllegalStateException("boom"); }'
  dir=$(maven_project java-skipping)
  java_class "$dir" MathTest '    @Test void adds() { assertEquals(2, Calc.add(1, 1)); }
    @Disabled("not ready") @Test void addsSlowly() { assertEquals(2, Calc.add(1, 1)); }
    @Test void addsOnSundays() { assumeTrue(false, "not Sunday"); }'
  java_class "$dir" TextTest '    @Test void joins() { assertEquals("ab", "a" + "b"); }
    @Disabled @Test void splits() { assertEquals(3, "a,b".split(",").length); }'
  maven_project java-empty >/dev/null

  if ! (cd "$WORK/java-passing" && mvn -o -B -q test >/dev/null 2>&1); then
    echo "Maven cannot build offline (plugins or JUnit missing from ~/.m2); skipping Surefire" >&2
    return
  fi
  local case
  for case in passing failing skipping empty; do
    capture surefire "$case" "$WORK/java-$case" mvn -o -B test
  done
  capture_color surefire failing-color "$WORK/java-failing" mvn -o -B -Dstyle.color=always test
}
