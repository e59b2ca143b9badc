#include "util/glob.h"

#include <QElapsedTimer>
#include <QTest>

using namespace slipway;

class TestGlob : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void matches_data();
    void matches();
    void badPatterns_data();
    void badPatterns();
    void keepsPattern();
    void copiesShareState();
    void manyPathsQuickly();
};

void TestGlob::matches_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("path");
    QTest::addColumn<bool>("expected");

    auto row = [](const char *name, const char *pattern, const char *path, bool expected) {
        QTest::newRow(name) << QString::fromUtf8(pattern) << QString::fromUtf8(path) << expected;
    };

    // Literal patterns match the whole path, never a prefix.
    row("literal", "vendor", "vendor", true);
    row("literal not prefix", "vendor", "vendor/a.go", false);
    row("literal not suffix", "a.go", "vendor/a.go", false);
    row("literal nested", "src/main.cpp", "src/main.cpp", true);
    row("literal case", "README", "readme", false);

    // *
    row("star", "*.js", "app.js", true);
    row("star dotfile", "*", ".env", true);
    row("star empty run", "a*b", "ab", true);
    row("star not across slash", "*.js", "lib/app.js", false);
    row("star segment", "src/*/main.c", "src/x/main.c", true);
    row("star segment not two", "src/*/main.c", "src/x/y/main.c", false);
    row("star middle", "a*c*e", "abcde", true);
    row("star backtrack", "*ab", "aab", true);
    row("star backtrack 2", "a*b*c", "aXbYbZc", true);
    row("star no match", "a*b*c", "aXbYbZ", false);
    row("star prefix suffix overlap", "ab*ba", "aba", false);
    row("star whole segment", "*", "a/b", false);

    // **
    row("doublestar all", "**", "a/b/c.txt", true);
    row("doublestar single", "**", "a", true);
    row("doublestar suffix", "vendor/**", "vendor/x/y.go", true);
    row("doublestar suffix one", "vendor/**", "vendor/y.go", true);
    row("doublestar suffix zero", "vendor/**", "vendor", true);
    row("doublestar suffix other", "vendor/**", "vendors/y.go", false);
    row("doublestar prefix", "**/*.js", "a/b/c.js", true);
    row("doublestar prefix zero", "**/*.js", "c.js", true);
    row("doublestar prefix miss", "**/*.js", "a/b/c.jsx", false);
    row("doublestar middle zero", "a/**/b", "a/b", true);
    row("doublestar middle many", "a/**/b", "a/x/y/z/b", true);
    row("doublestar middle miss", "a/**/b", "a/x/c", false);
    row("doublestar backtrack", "**/a/b", "a/a/x/a/b", true);
    row("doublestar twice", "**/test/**/*.py", "x/test/y/z/t.py", true);
    row("doublestar twice zero", "**/test/**/*.py", "test/t.py", true);
    row("doublestar twice miss", "**/test/**/*.py", "x/tests/t.py", false);
    row("doublestar repeated", "a/**/**/b", "a/b", true);
    row("doublestar end needs rest", "a/**/b/c", "a/b", false);

    // ?
    row("question", "?.txt", "a.txt", true);
    row("question one only", "?.txt", "ab.txt", false);
    row("question none", "?.txt", ".txt", false);
    row("question not slash", "a?b", "a/b", false);
    row("question non-bmp", "?.txt", "\xF0\x9F\x98\x80.txt", true);

    // classes
    row("class", "[abc].c", "b.c", true);
    row("class miss", "[abc].c", "d.c", false);
    row("class range", "file[0-9].txt", "file7.txt", true);
    row("class range miss", "file[0-9].txt", "filex.txt", false);
    row("class negated", "[!a-c]x", "dx", true);
    row("class negated miss", "[!a-c]x", "bx", false);
    row("class caret negated", "[^a-c]x", "bx", false);
    row("class bracket first", "[]a]", "]", true);
    row("class escape", "[\\]]", "]", true);
    row("class dash last", "[a-]", "-", true);
    row("class not slash", "a[!x]b", "a/b", false);
    row("class non-bmp", "[\xF0\x9F\x98\x80]", "\xF0\x9F\x98\x80", true);
    row("class multiple ranges", "[a-cx-z]", "y", true);

    // escapes
    row("escape star", "a\\*b", "a*b", true);
    row("escape star literal only", "a\\*b", "axb", false);
    row("escape question", "\\?", "?", true);
    row("escape bracket", "\\[x]", "[x]", true);
    row("escape backslash", "a\\\\b", "a\\b", true);
    row("escaped doublestar literal", "\\*\\*", "**", true);
    row("escaped doublestar not glob", "\\*\\*", "a/b", false);

    // leading '/', "./", redundant slashes
    row("leading slash", "/vendor/**", "vendor/a", true);
    row("leading dot slash", "./src/*.c", "src/a.c", true);
    row("leading dot slash twice", "././a", "a", true);
    row("trailing slash", "vendor/", "vendor", true);
    row("double slash", "a//b", "a/b", true);
    row("leading slash all", "/**", "a/b", true);

    // empty
    row("empty pattern", "", "a", false);
}

void TestGlob::matches()
{
    QFETCH(QString, pattern);
    QFETCH(QString, path);
    QFETCH(bool, expected);

    const Result<Glob> glob = Glob::compile(pattern);
    QVERIFY2(glob.ok(), qPrintable(glob.ok() ? QString() : glob.error().message));
    QCOMPARE(glob->matches(path), expected);
}

void TestGlob::badPatterns_data()
{
    QTest::addColumn<QString>("pattern");
    QTest::addColumn<QString>("message");

    QTest::newRow("doublestar in segment")
        << QStringLiteral("a**b")
        << QStringLiteral("glob \"a**b\": '**' must be a whole path segment, "
                          "as in \"a/**/b\" (within a segment, use '*')");
    QTest::newRow("doublestar suffix") << QStringLiteral("**.js")
                                       << QStringLiteral("glob \"**.js\": '**' must be a whole path segment, "
                                                         "as in \"a/**/b\" (within a segment, use '*')");
    QTest::newRow("triple star") << QStringLiteral("a/***")
                                 << QStringLiteral("glob \"a/***\": '**' must be a whole path segment, "
                                                   "as in \"a/**/b\" (within a segment, use '*')");
    QTest::newRow("unclosed class") << QStringLiteral("src/[ab")
                                    << QStringLiteral(
                                           "glob \"src/[ab\": '[' at column 5 is not closed by ']'");
    QTest::newRow("empty class") << QStringLiteral("[]")
                                 << QStringLiteral("glob \"[]\": '[' at column 1 is not closed by ']'");
    QTest::newRow("backwards range") << QStringLiteral("[z-a]")
                                     << QStringLiteral(
                                            "glob \"[z-a]\": the range at column 1 runs backwards");
    QTest::newRow("lone backslash") << QStringLiteral("a\\")
                                    << QStringLiteral(
                                           "glob \"a\\\": ends with a lone '\\' (write '\\\\' for a "
                                           "backslash)");
}

void TestGlob::badPatterns()
{
    QFETCH(QString, pattern);
    QFETCH(QString, message);

    const Result<Glob> glob = Glob::compile(pattern);
    QVERIFY(!glob.ok());
    QCOMPARE(glob.error().kind, Error::Kind::BadInput);
    QCOMPARE(glob.error().message, message);
}

void TestGlob::keepsPattern()
{
    const Result<Glob> glob = Glob::compile(QStringLiteral("./src/**"));
    QVERIFY(glob.ok());
    QCOMPARE(glob->pattern(), QStringLiteral("./src/**"));
    QCOMPARE(Glob().pattern(), QString());
    QVERIFY(!Glob().matches(QStringLiteral("a")));
}

void TestGlob::copiesShareState()
{
    Glob copy;
    {
        const Result<Glob> glob = Glob::compile(QStringLiteral("**/*.go"));
        QVERIFY(glob.ok());
        copy = glob.value();
    }
    QVERIFY(copy.matches(QStringLiteral("cmd/main.go")));
    QVERIFY(!copy.matches(QStringLiteral("cmd/main.rs")));
}

// 15,000 paths against a handful of patterns, 20 times over: well under a second.
void TestGlob::manyPathsQuickly()
{
    QStringList paths;
    for (int i = 0; i < 15000; ++i)
        paths << QStringLiteral("src/module%1/sub%2/file%3.%4")
                     .arg(i % 97)
                     .arg(i % 13)
                     .arg(i)
                     .arg(i % 3 == 0 ? QStringLiteral("js") : QStringLiteral("cpp"));
    QList<Glob> globs;
    for (const char *p : {"**/*.js", "src/module1/**", "vendor/**", "src/*/sub[0-4]/*.cpp", "**/test/**"})
        globs << Glob::compile(QString::fromUtf8(p)).value();

    QElapsedTimer timer;
    timer.start();
    qint64 hits = 0;
    for (int round = 0; round < 20; ++round) {
        for (const QString &path : std::as_const(paths)) {
            for (const Glob &g : std::as_const(globs))
                hits += g.matches(path) ? 1 : 0;
        }
    }
    QVERIFY(hits > 0);
    qInfo("1,500,000 matches in %lld ms", timer.elapsed());
}

QTEST_GUILESS_MAIN(TestGlob)
#include "tst_glob.moc"
