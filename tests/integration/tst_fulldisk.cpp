// A full disk under slipway-cli build: a 1 MB tmpfs as its data directory. Mounting it needs
// root, so this test is labelled "root" (README: a normal user's run leaves it out).

#include "clirun.h"
#include "gitrepo.h"
#include "processes.h"

#include <QDir>
#include <QTemporaryDir>
#include <QTest>

using slipway::test::CliRun;
using slipway::test::GitRepo;
using slipway::test::runCli;
using slipway::test::runTool;

class TestFullDisk final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    // ENOSPC in the middle of a layer: a one-line error naming the store, no blob, no ingest file.
    void fullDiskLeavesNothing()
    {
        GitRepo repo;
        QVERIFY(repo.writeFile(QStringLiteral("slipway.toml"),
                               "[[layers]]\nname = \"app\"\ninclude = [\"**\"]\n"));
        QByteArray noise(4 * 1024 * 1024, Qt::Uninitialized);
        quint32 state = 12345;
        for (char &byte : noise) {
            state = state * 1664525u + 1013904223u;
            byte = char(state >> 24);
        }
        QVERIFY(repo.writeFile(QStringLiteral("noise.bin"), noise));
        QVERIFY(!repo.commit(QStringLiteral("big")).isEmpty());

        QTemporaryDir work;
        const QString small = work.filePath(QStringLiteral("small"));
        QVERIFY(QDir().mkpath(small));
        QString output;
        QCOMPARE(runTool(QStringLiteral("mount"),
                         {QStringLiteral("-t"), QStringLiteral("tmpfs"), QStringLiteral("-o"),
                          QStringLiteral("size=1m"), QStringLiteral("tmpfs"), small},
                         &output),
                 0);
        const CliRun run = runCli({QStringLiteral("build"), repo.path(), QStringLiteral("--compression"),
                                   QStringLiteral("none"), QStringLiteral("--data-dir"), small});
        const QStringList ingest = QDir(small + QStringLiteral("/cache/blobs/ingest")).entryList(QDir::Files);
        const QStringList blobs = QDir(small + QStringLiteral("/cache/blobs/sha256")).entryList(QDir::Files);
        runTool(QStringLiteral("umount"), {small});
        QCOMPARE(run.exitCode, 1);
        const QString error = run.err.trimmed().split(u'\n').constLast();
        QVERIFY2(error.contains(QStringLiteral("No space left on device")), qPrintable(run.err));
        QVERIFY2(error.contains(small), qPrintable(run.err));
        QVERIFY2(ingest.isEmpty(), qPrintable(ingest.join(u' ')));
        QVERIFY2(blobs.isEmpty(), qPrintable(blobs.join(u' ')));
    }
};

QTEST_GUILESS_MAIN(TestFullDisk)
#include "tst_fulldisk.moc"
