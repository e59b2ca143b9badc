// dockerfileBases(): the images a Dockerfile's FROM lines pull, which a Dockerfile build pulls
// with the user's registry login before the engine builds.

#include "imagebuilder/baseimages.h"

#include <QTest>

using namespace slipway;

using StringMap = QMap<QString, QString>;

class TestBaseImages final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void bases_data()
    {
        QTest::addColumn<QByteArray>("dockerfile");
        QTest::addColumn<StringMap>("args");
        QTest::addColumn<QStringList>("references"); // ImageReference::toString()
        QTest::addColumn<QList<int>>("lines");
        const StringMap none;

        QTest::newRow("one") << QByteArray("FROM reg.example:5000/team/base:1\nRUN true\n") << none
                             << QStringList{QStringLiteral("reg.example:5000/team/base:1")} << QList<int>{1};
        QTest::newRow("Hub names are normalised, no tag is latest")
            << QByteArray("from busybox\n") << none
            << QStringList{QStringLiteral("docker.io/library/busybox:latest")} << QList<int>{1};
        QTest::newRow("scratch and earlier stages are not pulled")
            << QByteArray("FROM scratch AS empty\n"
                          "FROM reg.example/build:2 AS Build\n"
                          "RUN make\n"
                          "FROM build AS test\n"
                          "FROM EMPTY\n"
                          "FROM test\n"
                          "FROM reg.example/runtime@sha256:" +
                          QByteArray(64, 'a') + "\n")
            << none
            << QStringList{QStringLiteral("reg.example/build:2"),
                           QStringLiteral("reg.example/runtime@sha256:") + QString(64, u'a')}
            << QList<int>{2, 7};
        QTest::newRow("a base named twice is pulled once, at its first line")
            << QByteArray("FROM reg.example/base:1 AS a\nFROM reg.example/other:1\nFROM "
                          "reg.example/base:1\n")
            << none
            << QStringList{QStringLiteral("reg.example/base:1"), QStringLiteral("reg.example/other:1")}
            << QList<int>{1, 2};
        QTest::newRow("flags, comments, blank lines and continuations")
            << QByteArray("# syntax=docker/dockerfile:1\n"
                          "\n"
                          "# a comment\n"
                          "FROM --platform=$BUILDPLATFORM \\\n"
                          "  # a comment inside\n"
                          "  reg.example/base:3 \\\n"
                          "  AS build\n"
                          "RUN echo FROM reg.example/not-a-base:1\n"
                          "COPY --from=reg.example/copied:1 /x /x\n")
            << none << QStringList{QStringLiteral("reg.example/base:3")} << QList<int>{4};
        QTest::newRow("the escape directive")
            << QByteArray("# escape=`\n\nFROM `\n reg.example/base:4\n") << none
            << QStringList{QStringLiteral("reg.example/base:4")} << QList<int>{3};
        QTest::newRow("ARG defaults before the first FROM")
            << QByteArray("ARG REGISTRY=reg.example:5000\n"
                          "ARG TAG=\"1.2\" VARIANT\n"
                          "ARG IMAGE=${REGISTRY}/app\n"
                          "FROM $REGISTRY/base:${TAG}\n"
                          "FROM ${IMAGE}:${VARIANT:-slim}\n"
                          "FROM reg.example/x${VARIANT:+-never}:1\n"
                          "ARG LATE=reg.example/late:1\n"
                          "FROM ${LATE:-reg.example/unset:1}\n")
            << none
            << QStringList{QStringLiteral("reg.example:5000/base:1.2"),
                           QStringLiteral("reg.example:5000/app:slim"), QStringLiteral("reg.example/x:1"),
                           QStringLiteral("reg.example/unset:1")}
            << QList<int>{4, 5, 6, 8};
        QTest::newRow("[build] args over the defaults, only for declared ARGs")
            << QByteArray("ARG TAG=1\nARG VARIANT\nFROM reg.example/base:${TAG}${VARIANT}\n"
                          "FROM reg.example/other:${UNDECLARED:-2}\n")
            << StringMap{{QStringLiteral("TAG"), QStringLiteral("7")},
                         {QStringLiteral("VARIANT"), QStringLiteral("-alpine")},
                         {QStringLiteral("UNDECLARED"), QStringLiteral("9")}}
            << QStringList{QStringLiteral("reg.example/base:7-alpine"), QStringLiteral("reg.example/other:2")}
            << QList<int>{3, 4};
        QTest::newRow("a reference that is not one is left to the engine")
            << QByteArray(
                   "ARG REGISTRY\nFROM $REGISTRY/base:1\nFROM Upper/Case:1\nFROM\nFROM reg.example/ok:1\n")
            << none << QStringList{QStringLiteral("reg.example/ok:1")} << QList<int>{5};
        QTest::newRow("CRLF line ends") << QByteArray("FROM reg.example/base:1 AS b\r\nFROM b\r\n") << none
                                        << QStringList{QStringLiteral("reg.example/base:1")} << QList<int>{1};
        QTest::newRow("none") << QByteArray("# nothing\n") << none << QStringList{} << QList<int>{};
    }

    void bases()
    {
        QFETCH(QByteArray, dockerfile);
        QFETCH(StringMap, args);
        QFETCH(QStringList, references);
        QFETCH(QList<int>, lines);
        const QList<DockerfileBase> bases = dockerfileBases(dockerfile, args);
        QStringList found;
        QList<int> foundLines;
        for (const DockerfileBase &base : bases) {
            found.append(base.reference.toString());
            foundLines.append(base.line);
        }
        QCOMPARE(found, references);
        QCOMPARE(foundLines, lines);
    }

    // The text keeps the reference as the Dockerfile wrote it (variables substituted), and the
    // registry is what picks the credential.
    void textAndRegistry()
    {
        const QList<DockerfileBase> bases =
            dockerfileBases("ARG PORT=5000\nFROM 127.0.0.1:${PORT}/private/base:1\n", {});
        QCOMPARE(bases.size(), 1);
        QCOMPARE(bases.at(0).text, QStringLiteral("127.0.0.1:5000/private/base:1"));
        QCOMPARE(bases.at(0).reference.registry, QStringLiteral("127.0.0.1:5000"));
        QCOMPARE(bases.at(0).reference.repository, QStringLiteral("private/base"));
    }
};

QTEST_GUILESS_MAIN(TestBaseImages)
#include "tst_baseimages.moc"
