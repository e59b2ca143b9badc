// The journal of unfinished chunked uploads: what it gives back, and what it forgets.

#include "registry/uploadjournal.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace slipway;

namespace {

const QString registry = QStringLiteral("registry.example:5000");
const QString repository = QStringLiteral("team/app");
const QString digest = QStringLiteral("sha256:") + QString(64, u'a');
const qint64 size = 100 << 20;

} // namespace

class TestUploadJournal final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void entryComesBackForTheSameBlobOnly()
    {
        QTemporaryDir dir;
        const UploadJournal journal(dir.filePath(QStringLiteral("uploads")));
        QVERIFY(!journal.find(registry, repository, digest, size));
        journal.save(
            registry, repository, digest, size,
            {QStringLiteral("http://registry.example:5000/v2/team/app/blobs/uploads/u1?_state=x"), 16 << 20});
        const auto found = journal.find(registry, repository, digest, size);
        QVERIFY(found);
        QCOMPARE(found->offset, qint64(16 << 20));
        QVERIFY(found->location.endsWith(QStringLiteral("u1?_state=x")));
        // Not for another repository or registry; a later save replaces it.
        QVERIFY(!journal.find(QStringLiteral("other:5000"), repository, digest, size));
        QVERIFY(!journal.find(registry, QStringLiteral("team/other"), digest, size));
        journal.save(registry, repository, digest, size,
                     {QStringLiteral("http://registry.example:5000/u2"), 32 << 20});
        QCOMPARE(journal.find(registry, repository, digest, size)->offset, qint64(32 << 20));
        // The directory is the user's only: a Location lets its holder write to the session.
        QCOMPARE(QFileInfo(dir.filePath(QStringLiteral("uploads"))).permissions() &
                     (QFile::ReadGroup | QFile::ReadOther | QFile::WriteGroup | QFile::WriteOther),
                 QFile::Permissions());
        journal.remove(registry, repository, digest);
        QVERIFY(!journal.find(registry, repository, digest, size));
        QVERIFY(QDir(dir.filePath(QStringLiteral("uploads"))).isEmpty());
    }

    void wrongSizeOrStaleOrBrokenEntryIsForgotten()
    {
        QTemporaryDir dir;
        const QString directory = dir.filePath(QStringLiteral("uploads"));
        const UploadJournal journal(directory);
        journal.save(registry, repository, digest, size, {QStringLiteral("http://r/u"), 1024});
        QVERIFY(!journal.find(registry, repository, digest, size + 1)); // another blob of that digest?
        QVERIFY(QDir(directory).isEmpty());                             // forgotten, not kept

        journal.save(registry, repository, digest, size, {QStringLiteral("http://r/u"), 1024});
        const QString path = QDir(directory).entryInfoList(QDir::Files).constFirst().filePath();
        QFile file(path);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QJsonObject json = QJsonDocument::fromJson(file.readAll()).object();
        file.close();
        json.insert(QStringLiteral("updated"), QStringLiteral("2020-01-01T00:00:00Z"));
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write(QJsonDocument(json).toJson());
        file.close();
        QVERIFY(!journal.find(registry, repository, digest, size)); // older than a week
        QVERIFY(!QFile::exists(path));

        journal.save(registry, repository, digest, size, {QStringLiteral("http://r/u"), 1024});
        QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
        file.write("{not json");
        file.close();
        QVERIFY(!journal.find(registry, repository, digest, size));
        QVERIFY(!QFile::exists(path));
    }

    void disabledJournalKeepsNothing()
    {
        const UploadJournal journal{QString()};
        QVERIFY(!journal.isEnabled());
        journal.save(registry, repository, digest, size, {QStringLiteral("http://r/u"), 1024});
        QVERIFY(!journal.find(registry, repository, digest, size));
    }
};

QTEST_GUILESS_MAIN(TestUploadJournal)
#include "tst_uploadjournal.moc"
