#include "store/contentstore.h"
#include "util/sha256.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QTemporaryDir>
#include <QTest>

#include <thread>

#include <sys/stat.h>
#include <utime.h>

using namespace slipway;

namespace {

// QVERIFY2 evaluates its message even when the check passes.
QString errorText(const Status &status)
{
    return status.ok() ? QString() : status.error().message;
}

QByteArray pattern(qsizetype size, int seed)
{
    QByteArray data(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        data[i] = char((i * 131 + seed * 17 + i / 7) & 0xff);
    return data;
}

QStringList entries(const QString &directory)
{
    return QDir(directory).entryList(QDir::Files | QDir::Hidden | QDir::System);
}

} // namespace

class TestContentStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void init();
    void putReadContains();
    void blobPathValidatesDigest();
    void writerCommitsInPieces();
    void digestMismatchKeepsNothing();
    void sizeMismatchKeepsNothing();
    void malformedExpectedDigest();
    void existingBlobWins();
    void concurrentWritersOfTheSameBlob();
    void unwritableRoot();
    void uncommittedWriterRemovesIngest();
    void writeAfterCommitFails();
    void readDetectsCorruption();
    void removeStaleIngests();

private:
    std::unique_ptr<QTemporaryDir> m_dir;
    QString root() const { return m_dir->filePath(QStringLiteral("store")); }
};

void TestContentStore::init()
{
    m_dir = std::make_unique<QTemporaryDir>();
    QVERIFY(m_dir->isValid());
}

void TestContentStore::putReadContains()
{
    const ContentStore store(root());
    const QByteArray config = R"({"architecture":"amd64","os":"linux"})";
    const QString digest = Sha256::digestOf(config);
    QVERIFY(!store.contains(digest));
    QCOMPARE(store.size(digest), -1);

    const Result<QString> put = store.put(config);
    QVERIFY(put.ok());
    QCOMPARE(*put, digest);
    QVERIFY(store.contains(digest));
    QCOMPARE(store.size(digest), config.size());
    QCOMPARE(store.blobPath(digest), root() + QStringLiteral("/sha256/") + digest.mid(7));
    const Result<QByteArray> read = store.read(digest);
    QVERIFY(read.ok());
    QCOMPARE(*read, config);
    // Stored blobs are read-only, and nothing is left in ingest/.
    QVERIFY(!(QFileInfo(store.blobPath(digest)).permissions() & QFileDevice::WriteOwner));
    QVERIFY(entries(root() + QStringLiteral("/ingest")).isEmpty());

    // Putting it again is a no-op that gives the same digest.
    QCOMPARE(*store.put(config), digest);
    QCOMPARE(entries(root() + QStringLiteral("/sha256")).size(), 1);

    // The empty blob is a blob too.
    const Result<QString> empty = store.put(QByteArray());
    QVERIFY(empty.ok());
    QCOMPARE(*empty,
             QStringLiteral("sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"));
    QCOMPARE(store.size(*empty), 0);

    const Result<QByteArray> missing = store.read(Sha256::digestOf("nope"));
    QVERIFY(!missing.ok());
    QVERIFY(missing.error().message.contains(Sha256::digestOf("nope")));
}

void TestContentStore::blobPathValidatesDigest()
{
    const ContentStore store(root());
    QVERIFY(store.blobPath(QStringLiteral("sha256:abc")).isEmpty());
    QVERIFY(store.blobPath(QStringLiteral("sha256:../../../../etc/passwd")).isEmpty());
    QVERIFY(store.blobPath(QStringLiteral("sha512:") + QString(64, QLatin1Char('a'))).isEmpty());
    QVERIFY(store.blobPath(QStringLiteral("sha256:") + QString(64, QLatin1Char('A'))).isEmpty());
    QVERIFY(!store.blobPath(QStringLiteral("sha256:") + QString(64, QLatin1Char('a'))).isEmpty());
    QVERIFY(!store.contains(QStringLiteral("garbage")));
    QCOMPARE(store.size(QStringLiteral("garbage")), -1);
    QVERIFY(!store.read(QStringLiteral("garbage")).ok());
}

void TestContentStore::writerCommitsInPieces()
{
    const ContentStore store(root());
    const QByteArray blob = pattern(3 * 1024 * 1024 + 11, 1);
    auto writer = store.begin();
    QVERIFY(writer.ok());
    // Small pieces (buffered) and large ones (written through).
    qsizetype offset = 0;
    for (qsizetype piece : {1, 511, 100000, 1024 * 1024, 7, 2 * 1024 * 1024}) {
        const qsizetype n = std::min(piece, blob.size() - offset);
        QVERIFY((*writer)->write(blob.constData() + offset, n).ok());
        offset += n;
    }
    QCOMPARE(offset, blob.size());
    QCOMPARE((*writer)->written(), blob.size());
    QCOMPARE(entries(root() + QStringLiteral("/ingest")).size(), 1);
    const QString digest = Sha256::digestOf(blob);
    const Status status = (*writer)->commit(digest, blob.size());
    QVERIFY2(status.ok(), qPrintable(errorText(status)));
    QVERIFY(entries(root() + QStringLiteral("/ingest")).isEmpty());
    QFile file(store.blobPath(digest));
    QVERIFY(file.open(QIODevice::ReadOnly));
    QVERIFY(file.readAll() == blob);
}

void TestContentStore::digestMismatchKeepsNothing()
{
    const ContentStore store(root());
    auto writer = store.begin();
    QVERIFY(writer.ok());
    QVERIFY((*writer)->write("actual content", 14).ok());
    const QString expected = Sha256::digestOf("expected content");
    const Status status = (*writer)->commit(expected, 14);
    QVERIFY(!status.ok());
    QVERIFY2(status.error().message.contains(expected), qPrintable(status.error().message));
    QVERIFY2(status.error().message.contains(Sha256::digestOf("actual content")),
             qPrintable(status.error().message));
    QVERIFY(!status.error().message.contains(QLatin1Char('\n')));
    QVERIFY(entries(root() + QStringLiteral("/sha256")).isEmpty());
    QVERIFY(entries(root() + QStringLiteral("/ingest")).isEmpty());
    QVERIFY(!store.contains(expected));
    QVERIFY(!store.contains(Sha256::digestOf("actual content")));
}

void TestContentStore::sizeMismatchKeepsNothing()
{
    const ContentStore store(root());
    auto writer = store.begin();
    QVERIFY(writer.ok());
    QVERIFY((*writer)->write("content", 7).ok());
    const Status status = (*writer)->commit(Sha256::digestOf("content"), 8);
    QVERIFY(!status.ok());
    QVERIFY2(status.error().message.contains(QStringLiteral("8")), qPrintable(status.error().message));
    QVERIFY(entries(root() + QStringLiteral("/sha256")).isEmpty());
    QVERIFY(entries(root() + QStringLiteral("/ingest")).isEmpty());
}

void TestContentStore::malformedExpectedDigest()
{
    const ContentStore store(root());
    auto writer = store.begin();
    QVERIFY(writer.ok());
    QVERIFY((*writer)->write("content", 7).ok());
    const Status status = (*writer)->commit(QStringLiteral("sha256:../../escape"), 7);
    QVERIFY(!status.ok());
    QVERIFY(status.error().message.contains(QStringLiteral("sha256:../../escape")));
    QVERIFY(entries(root() + QStringLiteral("/sha256")).isEmpty());
    QVERIFY(entries(root() + QStringLiteral("/ingest")).isEmpty());
}

void TestContentStore::existingBlobWins()
{
    const ContentStore store(root());
    const QByteArray blob = pattern(100000, 2);
    const QString digest = *store.put(blob);
    struct stat before;
    QCOMPARE(::stat(QFile::encodeName(store.blobPath(digest)).constData(), &before), 0);

    // Two writers of the same content racing: whichever commits second finds the blob there.
    auto first = store.begin();
    auto second = store.begin();
    QVERIFY(first.ok() && second.ok());
    QVERIFY((*first)->write(blob.constData(), blob.size()).ok());
    QVERIFY((*second)->write(blob.constData(), blob.size()).ok());
    QVERIFY((*first)->commit(digest, blob.size()).ok());
    QVERIFY((*second)->commit(digest, blob.size()).ok());

    struct stat after;
    QCOMPARE(::stat(QFile::encodeName(store.blobPath(digest)).constData(), &after), 0);
    QCOMPARE(after.st_ino, before.st_ino); // the original file, untouched
    QVERIFY(entries(root() + QStringLiteral("/ingest")).isEmpty());
    QCOMPARE(*store.read(digest), blob);
}

void TestContentStore::concurrentWritersOfTheSameBlob()
{
    const ContentStore store(root());
    const QByteArray blob = pattern(2 * 1024 * 1024 + 3, 3);
    const QString digest = Sha256::digestOf(blob);
    constexpr int Writers = 8;
    QList<QString> errors(Writers);
    std::vector<std::thread> threads;
    for (int i = 0; i < Writers; ++i) {
        threads.emplace_back([&, i] {
            auto writer = store.begin();
            if (!writer.ok()) {
                errors[i] = writer.error().message;
                return;
            }
            // Different piece sizes per thread, so they interleave differently.
            const qsizetype piece = 4096 * (i + 1) + i;
            for (qsizetype offset = 0; offset < blob.size(); offset += piece) {
                Status status =
                    (*writer)->write(blob.constData() + offset, std::min(piece, blob.size() - offset));
                if (!status.ok()) {
                    errors[i] = status.error().message;
                    return;
                }
            }
            Status status = (*writer)->commit(digest, blob.size());
            if (!status.ok())
                errors[i] = status.error().message;
        });
    }
    for (std::thread &thread : threads)
        thread.join();
    for (const QString &error : errors)
        QVERIFY2(error.isEmpty(), qPrintable(error));
    QCOMPARE(entries(root() + QStringLiteral("/sha256")), QStringList{digest.mid(7)});
    QVERIFY(entries(root() + QStringLiteral("/ingest")).isEmpty());
    const Result<QByteArray> read = store.read(digest);
    QVERIFY(read.ok());
    QVERIFY(*read == blob);
}

void TestContentStore::unwritableRoot()
{
    // A root below a regular file cannot be created, even by root (the tests may run as root,
    // where permission bits do not stop anything).
    QFile blocker(m_dir->filePath(QStringLiteral("file")));
    QVERIFY(blocker.open(QIODevice::WriteOnly));
    blocker.close();
    const ContentStore store(m_dir->filePath(QStringLiteral("file/store")));
    const auto writer = store.begin();
    QVERIFY(!writer.ok());
    const QString message = writer.error().message;
    QVERIFY2(message.contains(m_dir->filePath(QStringLiteral("file/store"))), qPrintable(message));
    QVERIFY2(message.contains(qt_error_string(ENOTDIR)), qPrintable(message));
    QVERIFY(!message.contains(QLatin1Char('\n')));
    const Result<QString> put = store.put("config");
    QVERIFY(!put.ok());
    QCOMPARE(put.error().message, message);

    if (::geteuid() != 0) {
        const QString locked = m_dir->filePath(QStringLiteral("locked"));
        QVERIFY(QDir().mkpath(locked));
        QVERIFY(QFile::setPermissions(locked, QFileDevice::ReadOwner | QFileDevice::ExeOwner));
        const auto denied = ContentStore(locked).begin();
        QFile::setPermissions(locked,
                              QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ExeOwner);
        QVERIFY(!denied.ok());
        QVERIFY2(denied.error().message.contains(qt_error_string(EACCES)),
                 qPrintable(denied.error().message));
    }
}

void TestContentStore::uncommittedWriterRemovesIngest()
{
    const ContentStore store(root());
    {
        auto writer = store.begin();
        QVERIFY(writer.ok());
        QVERIFY((*writer)->write(pattern(500000, 4).constData(), 500000).ok());
        QCOMPARE(entries(root() + QStringLiteral("/ingest")).size(), 1);
    }
    QVERIFY(entries(root() + QStringLiteral("/ingest")).isEmpty());
    QVERIFY(entries(root() + QStringLiteral("/sha256")).isEmpty());
}

void TestContentStore::writeAfterCommitFails()
{
    const ContentStore store(root());
    auto writer = store.begin();
    QVERIFY(writer.ok());
    QVERIFY((*writer)->write("x", 1).ok());
    QVERIFY((*writer)->commit(Sha256::digestOf("x"), 1).ok());
    QVERIFY(!(*writer)->write("y", 1).ok());
    QVERIFY(!(*writer)->commit(Sha256::digestOf("x"), 1).ok());
    QVERIFY(store.contains(Sha256::digestOf("x")));
}

void TestContentStore::readDetectsCorruption()
{
    const ContentStore store(root());
    const QString digest = *store.put("original");
    const QString path = store.blobPath(digest);
    QVERIFY(QFile::setPermissions(path, QFileDevice::ReadOwner | QFileDevice::WriteOwner));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly | QIODevice::Truncate));
    file.write("tampered");
    file.close();
    const Result<QByteArray> read = store.read(digest);
    QVERIFY(!read.ok());
    QVERIFY(read.error().message.contains(digest));
    QVERIFY(read.error().message.contains(Sha256::digestOf("tampered")));
}

void TestContentStore::removeStaleIngests()
{
    const ContentStore store(root());
    auto live = store.begin(); // creates ingest/ and a fresh ingest file
    QVERIFY(live.ok());
    const QString stale = root() + QStringLiteral("/ingest/crashed-writer");
    QFile file(stale);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write("partial");
    file.close();
    struct utimbuf times;
    times.actime = times.modtime = time(nullptr) - 3 * 3600;
    QCOMPARE(::utime(QFile::encodeName(stale).constData(), &times), 0);

    store.removeStaleIngests(3600);
    QVERIFY(!QFileInfo::exists(stale));
    QCOMPARE(entries(root() + QStringLiteral("/ingest")).size(), 1);
    QVERIFY((*live)->write("still fine", 10).ok());
    QVERIFY((*live)->commit(Sha256::digestOf("still fine"), 10).ok());

    // A store that was never written to has nothing to clean, and that is fine.
    ContentStore(m_dir->filePath(QStringLiteral("never"))).removeStaleIngests();
}

QTEST_GUILESS_MAIN(TestContentStore)
#include "tst_contentstore.moc"
