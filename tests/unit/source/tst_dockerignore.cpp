// DockerIgnore follows Docker's .dockerignore rules (moby/patternmatcher).

#include "source/dockerignore.h"

#include <QTest>

using namespace slipway;

class TestDockerIgnore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void excludes_data()
    {
        QTest::addColumn<QByteArray>("file");
        QTest::addColumn<QString>("path");
        QTest::addColumn<bool>("excluded");

        QTest::newRow("empty file") << QByteArray() << "a" << false;
        QTest::newRow("plain name") << QByteArray("secret.txt\n") << "secret.txt" << true;
        QTest::newRow("plain name is rooted") << QByteArray("secret.txt\n") << "sub/secret.txt" << false;
        QTest::newRow("star within segment") << QByteArray("*.md\n") << "README.md" << true;
        QTest::newRow("star not across /") << QByteArray("*.md\n") << "docs/README.md" << false;
        QTest::newRow("double star") << QByteArray("**/*.md\n") << "docs/a/README.md" << true;
        QTest::newRow("double star at root") << QByteArray("**/*.md\n") << "README.md" << true;
        QTest::newRow("directory excludes below")
            << QByteArray("node_modules\n") << "node_modules/x/y.js" << true;
        QTest::newRow("trailing slash ignored") << QByteArray("build/\n") << "build/out.o" << true;
        QTest::newRow("leading slash ignored") << QByteArray("/build\n") << "build/out.o" << true;
        QTest::newRow("dot slash ignored") << QByteArray("./build\n") << "build/out.o" << true;
        QTest::newRow("dot dot cleaned") << QByteArray("a/../build\n") << "build" << true;
        QTest::newRow("double slash cleaned") << QByteArray("a//b\n") << "a/b" << true;
        QTest::newRow("whitespace trimmed") << QByteArray("  build  \r\n") << "build" << true;
        QTest::newRow("comment") << QByteArray("# build\n") << "# build" << false;
        QTest::newRow("indented hash is a pattern") << QByteArray("  #x\n") << "#x" << true;
        QTest::newRow("exception") << QByteArray("*.md\n!README.md\n") << "README.md" << false;
        QTest::newRow("exception others still out")
            << QByteArray("*.md\n!README.md\n") << "CHANGES.md" << true;
        QTest::newRow("later line wins") << QByteArray("!README.md\n*.md\n") << "README.md" << true;
        QTest::newRow("exception inside excluded dir")
            << QByteArray("docs\n!docs/keep.txt\n") << "docs/keep.txt" << false;
        QTest::newRow("rest of excluded dir")
            << QByteArray("docs\n!docs/keep.txt\n") << "docs/drop.txt" << true;
        QTest::newRow("exception re-includes a dir") << QByteArray("*\n!src\n") << "src/a/b.c" << false;
        QTest::newRow("everything") << QByteArray("*\n!src\n") << "Makefile" << true;
        QTest::newRow("question mark") << QByteArray("file?.txt\n") << "file1.txt" << true;
        QTest::newRow("class") << QByteArray("file[0-9].txt\n") << "filea.txt" << false;
        QTest::newRow("escaped star") << QByteArray("a\\*b\n") << "a*b" << true;
        QTest::newRow("escaped star is literal") << QByteArray("a\\*b\n") << "axb" << false;
        QTest::newRow("byte order mark") << QByteArray("\xef\xbb\xbfsecret\n") << "secret" << true;
        QTest::newRow("star matches dot files") << QByteArray("*\n") << ".env" << true;
    }

    void excludes()
    {
        QFETCH(QByteArray, file);
        QFETCH(QString, path);
        QFETCH(bool, excluded);
        Result<DockerIgnore> ignore = DockerIgnore::parse(file, QStringLiteral(".dockerignore"));
        QVERIFY2(ignore, ignore ? "" : qPrintable(ignore.error().message));
        QCOMPARE(ignore->excludes(path), excluded);
    }

    void normalisedPatterns()
    {
        Result<DockerIgnore> ignore =
            DockerIgnore::parse("# c\n\n/a/\n ! ./b//c \n.\n", QStringLiteral(".dockerignore"));
        QVERIFY(ignore);
        QCOMPARE(ignore->patterns(), (QStringList{QStringLiteral("a"), QStringLiteral("!b/c")}));
    }

    void skippingDirectories()
    {
        Result<DockerIgnore> plain = DockerIgnore::parse("node_modules\n", QStringLiteral(".dockerignore"));
        QVERIFY(plain);
        QVERIFY(plain->canSkipDirectory(QStringLiteral("node_modules")));

        Result<DockerIgnore> keep =
            DockerIgnore::parse("docs\n!docs/api/*.md\n!other\n", QStringLiteral(".dockerignore"));
        QVERIFY(keep);
        QVERIFY(!keep->canSkipDirectory(QStringLiteral("docs")));
        QVERIFY(!keep->canSkipDirectory(QStringLiteral("docs/api")));
        QVERIFY(keep->canSkipDirectory(QStringLiteral("docs/internal")));

        Result<DockerIgnore> anywhere =
            DockerIgnore::parse("build\n!**/keep\n", QStringLiteral(".dockerignore"));
        QVERIFY(anywhere);
        QVERIFY(!anywhere->canSkipDirectory(QStringLiteral("build")));
    }

    void errors()
    {
        Result<DockerIgnore> bang = DockerIgnore::parse("a\n!\n", QStringLiteral("ctx/.dockerignore"));
        QVERIFY(!bang);
        QCOMPARE(bang.error().kind, Error::Kind::BadInput);
        QCOMPARE(bang.error().message, QStringLiteral("ctx/.dockerignore line 2: '!' without a pattern"));

        Result<DockerIgnore> bracket =
            DockerIgnore::parse("ok\n\nfile[.txt\n", QStringLiteral("ctx/.dockerignore"));
        QVERIFY(!bracket);
        QVERIFY2(bracket.error().message.startsWith(QStringLiteral("ctx/.dockerignore line 3: ")),
                 qPrintable(bracket.error().message));

        Result<DockerIgnore> latin1 = DockerIgnore::parse("caf\xe9\n", QStringLiteral("ctx/.dockerignore"));
        QVERIFY(!latin1);
        QCOMPARE(latin1.error().message, QStringLiteral("ctx/.dockerignore line 1: not valid UTF-8"));
    }
};

QTEST_GUILESS_MAIN(TestDockerIgnore)
#include "tst_dockerignore.moc"
