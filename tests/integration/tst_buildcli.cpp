// slipway-cli build, checked by independent readers: umoci unpacks the OCI layout it writes,
// skopeo inspects it, and the unpacked root file system equals `git archive` of the commit.

#include "clirun.h"
#include "gitrepo.h"
#include "processes.h"

#include <QDir>
#include <QDirIterator>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <unistd.h>

using slipway::test::CliRun;
using slipway::test::GitRepo;
using slipway::test::runCli;
using slipway::test::runTool;

namespace {

QString readLink(const QString &path)
{
    char buffer[4096];
    const ssize_t n = ::readlink(QFile::encodeName(path).constData(), buffer, sizeof buffer);
    return n < 0 ? QString() : QString::fromUtf8(buffer, n);
}

// path -> "type mode size-or-target sha" for every entry under root.
QMap<QString, QString> describeTree(const QString &root)
{
    QMap<QString, QString> tree;
    QDirIterator it(root, QDir::AllEntries | QDir::NoDotAndDotDot | QDir::Hidden | QDir::System,
                    QDirIterator::Subdirectories);
    while (it.hasNext()) {
        const QString path = it.next();
        const QFileInfo info(path);
        const QString relative = QDir(root).relativeFilePath(path);
        if (info.isSymLink()) {
            tree.insert(relative, QStringLiteral("link -> ") + readLink(path));
        } else if (info.isDir()) {
            tree.insert(relative, QStringLiteral("dir"));
        } else {
            QFile file(path);
            file.open(QIODevice::ReadOnly);
            const bool executable = info.permissions() & QFile::ExeOwner;
            tree.insert(relative, QStringLiteral("file %1 %2 %3")
                                      .arg(executable ? QStringLiteral("x") : QStringLiteral("-"))
                                      .arg(info.size())
                                      .arg(QString::fromLatin1(file.readAll().toHex().left(64))));
        }
    }
    return tree;
}

} // namespace

class TestBuildCli final : public QObject
{
    Q_OBJECT

private:
    GitRepo m_repo;
    QString m_commit;

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_repo.isValid());
        QVERIFY(m_repo.writeFile(QStringLiteral("slipway.toml"), "\n"
                                                                 "[image]\n"
                                                                 "entrypoint = [\"/bin/server\"]\n"
                                                                 "[[layers]]\n"
                                                                 "name = \"deps\"\n"
                                                                 "include = [\"node_modules/**\"]\n"
                                                                 "[[layers]]\n"
                                                                 "name = \"app\"\n"
                                                                 "include = [\"**\"]\n"));
        for (int i = 0; i < 40; ++i)
            QVERIFY(m_repo.writeFile(QStringLiteral("node_modules/pkg%1/index.js").arg(i),
                                     QByteArray("exports.value = ") + QByteArray::number(i) + ";\n"));
        QVERIFY(m_repo.writeFile(QStringLiteral("bin/server"), "#!/bin/sh\nexec echo serving\n", true));
        QVERIFY(m_repo.symlink(QStringLiteral("bin/start"), QStringLiteral("server")));
        QVERIFY(m_repo.writeFile(QStringLiteral("a/very/") + QStringLiteral("long").repeated(40) +
                                     QStringLiteral("/name.txt"),
                                 "deep\n"));
        m_commit = m_repo.commit(QStringLiteral("app"));
        QVERIFY(!m_commit.isEmpty());
    }

    void umociAndSkopeoAcceptTheLayout()
    {
        QTemporaryDir work;
        const QString layout = work.filePath(QStringLiteral("image"));
        const CliRun run = runCli({QStringLiteral("build"), m_repo.path(), QStringLiteral("--oci-layout"),
                                   layout + QStringLiteral(":v1"), QStringLiteral("--json"),
                                   QStringLiteral("--data-dir"), work.filePath(QStringLiteral("data"))});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out).object();
        const QString manifestDigest = json.value(QStringLiteral("manifestDigest")).toString();
        QVERIFY(manifestDigest.startsWith(QStringLiteral("sha256:")));
        QCOMPARE(json.value(QStringLiteral("commit")).toString(), m_commit);
        const QJsonArray layers = json.value(QStringLiteral("layers")).toArray();
        QCOMPARE(layers.size(), 2);
        QCOMPARE(layers.at(0).toObject().value(QStringLiteral("files")).toInt(), 40);
        for (const QJsonValue &layer : layers) {
            for (const char *key :
                 {"name", "digest", "diffId", "size", "uncompressedSize", "files", "cached"})
                QVERIFY2(layer.toObject().contains(QLatin1String(key)), key);
        }

        // skopeo reports the digest slipway printed.
        QString output;
        QCOMPARE(runTool(QStringLiteral("skopeo"),
                         {QStringLiteral("inspect"), QStringLiteral("oci:") + layout + QStringLiteral(":v1")},
                         &output),
                 0);
        const QJsonObject inspected = QJsonDocument::fromJson(output.toUtf8()).object();
        QCOMPARE(inspected.value(QStringLiteral("Digest")).toString(), manifestDigest);
        QCOMPARE(inspected.value(QStringLiteral("Layers")).toArray().size(), 2);
        QCOMPARE(inspected.value(QStringLiteral("Labels"))
                     .toObject()
                     .value(QStringLiteral("org.opencontainers.image.revision"))
                     .toString(),
                 m_commit);

        // umoci unpacks it, and the root file system is the commit's tree.
        const QString bundle = work.filePath(QStringLiteral("bundle"));
        // As a normal user umoci unpacks without chown (its --rootless), the tree is the same.
        QStringList unpack{QStringLiteral("unpack"), QStringLiteral("--image"),
                           layout + QStringLiteral(":v1"), bundle};
        if (::geteuid() != 0)
            unpack.insert(1, QStringLiteral("--rootless"));
        QCOMPARE(runTool(QStringLiteral("umoci"), unpack, &output), 0);
        const QString archived = work.filePath(QStringLiteral("archived"));
        QVERIFY(QDir().mkpath(archived));
        QCOMPARE(runTool(QStringLiteral("sh"),
                         {QStringLiteral("-c"), QStringLiteral("git -C '%1' archive HEAD | tar -x -C '%2'")
                                                    .arg(m_repo.path(), archived)},
                         &output),
                 0);
        const QMap<QString, QString> expected = describeTree(archived);
        const QMap<QString, QString> actual = describeTree(bundle + QStringLiteral("/rootfs"));
        QCOMPARE(actual.size(), expected.size());
        for (auto it = expected.cbegin(); it != expected.cend(); ++it)
            QCOMPARE(actual.value(it.key()), it.value());

        // Built again: every layer cached, the same manifest.
        const CliRun again = runCli({QStringLiteral("build"), m_repo.path(), QStringLiteral("--json"),
                                     QStringLiteral("--data-dir"), work.filePath(QStringLiteral("data"))});
        QCOMPARE(again.exitCode, 0);
        const QJsonObject second = QJsonDocument::fromJson(again.out).object();
        QCOMPARE(second.value(QStringLiteral("manifestDigest")).toString(), manifestDigest);
        for (const QJsonValue &layer : second.value(QStringLiteral("layers")).toArray())
            QVERIFY(layer.toObject().value(QStringLiteral("cached")).toBool());
    }

    void humanOutputShowsTheLayerTable()
    {
        QTemporaryDir work;
        const CliRun run = runCli({QStringLiteral("build"), m_repo.path(), QStringLiteral("--compression"),
                                   QStringLiteral("zstd"), QStringLiteral("--data-dir"), work.path()});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QString out = QString::fromUtf8(run.out);
        QVERIFY2(out.startsWith(QStringLiteral("LAYER")), qPrintable(out));
        QVERIFY(out.contains(QStringLiteral("deps")));
        QVERIFY(out.contains(QStringLiteral("manifest  sha256:")));
    }

    void badInputExitsWithOneLine_data()
    {
        QTest::addColumn<QStringList>("arguments");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("mentions");
        QTest::newRow("unknown ref") << QStringList{QStringLiteral("--ref"), QStringLiteral("no-such-branch")}
                                     << 2 << QStringLiteral("no-such-branch");
        QTest::newRow("bad tag") << QStringList{QStringLiteral("--oci-layout"),
                                                QStringLiteral("/tmp/x:*bad*")}
                                 << 2 << QStringLiteral("*bad*");
        QTest::newRow("unwritable output")
            << QStringList{QStringLiteral("--oci-layout"), QStringLiteral("/proc/slipway/out")} << 1
            << QStringLiteral("/proc/slipway/out");
        QTest::newRow("bad level") << QStringList{QStringLiteral("--compression"), QStringLiteral("zstd"),
                                                  QStringLiteral("--level"), QStringLiteral("22")}
                                   << 2 << QStringLiteral("22");
    }
    void badInputExitsWithOneLine()
    {
        QFETCH(QStringList, arguments);
        QFETCH(int, exitCode);
        QFETCH(QString, mentions);
        QTemporaryDir work;
        const CliRun run = runCli(
            QStringList{QStringLiteral("build"), m_repo.path(), QStringLiteral("--data-dir"), work.path()} +
            arguments);
        QCOMPARE(run.exitCode, exitCode);
        QVERIFY(run.out.isEmpty());
        // Progress lines may come first; the error is the last line, and the only one of its kind.
        const QStringList lines = run.err.trimmed().split(u'\n');
        const QString error = lines.constLast();
        QVERIFY2(error.startsWith(QStringLiteral("slipway-cli build: ")), qPrintable(run.err));
        QVERIFY2(error.contains(mentions), qPrintable(run.err));
        QCOMPARE(run.err.count(QStringLiteral("slipway-cli build: ")), 1);
    }

    // A source without [[layers]] is a Dockerfile build: without a Dockerfile, or without an
    // engine to run it, one line says what to add; an unknown --engine is named.
    void dockerfileBuildSaysWhatItLacks()
    {
        QTemporaryDir work;
        const auto build = [&work](const QString &source, const QStringList &more = {}) {
            return runCli(
                QStringList{QStringLiteral("build"), source, QStringLiteral("--data-dir"), work.path()} +
                more);
        };
        GitRepo layerless;
        QVERIFY(layerless.writeFile(QStringLiteral("slipway.toml"), "[deploy]\nports = [\"8080:8080\"]\n"));
        QVERIFY(!layerless.commit(QStringLiteral("deploy only")).isEmpty());
        CliRun run = build(layerless.path());
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.trimmed().split(u'\n').constLast().contains(QStringLiteral(
                     "has no [[layers]] in slipway.toml and no Dockerfile: add [[layers]], or a Dockerfile")),
                 qPrintable(run.err));

        GitRepo dockerfile;
        QVERIFY(dockerfile.writeFile(QStringLiteral("Dockerfile"), "FROM scratch\nCOPY . /\n"));
        QVERIFY(!dockerfile.commit(QStringLiteral("a Dockerfile, no slipway.toml")).isEmpty());
        run = build(dockerfile.path());
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.trimmed().split(u'\n').constLast().contains(QStringLiteral(
                     "builds from Dockerfile, which needs an engine: name a target with --engine")),
                 qPrintable(run.err));
        run = build(dockerfile.path(), {QStringLiteral("--engine"), QStringLiteral("nosuch")});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("--engine: ")) && run.err.contains(QStringLiteral("nosuch")),
                 qPrintable(run.err));
        QCOMPARE(run.err.trimmed().count(u'\n'), 0);
    }

    void brokenSpecNamesFileAndLine()
    {
        GitRepo repo;
        QVERIFY(repo.writeFile(QStringLiteral("slipway.toml"), "[image]\nentrypont = [\"/x\"]\n"));
        QVERIFY(!repo.commit(QStringLiteral("typo")).isEmpty());
        QTemporaryDir work;
        const CliRun run =
            runCli({QStringLiteral("build"), repo.path(), QStringLiteral("--data-dir"), work.path()});
        QCOMPARE(run.exitCode, 2);
        QVERIFY2(run.err.contains(QStringLiteral("slipway.toml:2")), qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("entrypont")), qPrintable(run.err));
        // Nothing is left in the store for a build that never started.
        QVERIFY(QDir(work.filePath(QStringLiteral("cache/blobs/sha256"))).entryList(QDir::Files).isEmpty());
    }
};

QTEST_GUILESS_MAIN(TestBuildCli)
#include "tst_buildcli.moc"
