#include "imagebuilder/readahead.h"
#include "source/opensource.h"

#include <QDir>
#include <QFile>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>

#include <atomic>

using namespace slipway;

namespace {

// A real source whose readers are counted: how many exist, and how many are inside read().
class CountedSource final : public Source
{
public:
    explicit CountedSource(const Source &inner)
        : m_inner(inner)
    {}

    std::atomic<int> liveReaders = 0;
    std::atomic<int> openedReaders = 0;
    std::atomic<int> readsInFlight = 0;

    QString describe() const override { return m_inner.describe(); }
    QString revision() const override { return m_inner.revision(); }
    qint64 timestamp() const override { return m_inner.timestamp(); }
    const QList<SourceFile> &files() const override { return m_inner.files(); }
    Result<QByteArray> readRootFile(const QString &name) const override { return m_inner.readRootFile(name); }
    std::unique_ptr<SourceReader> openReader() const override
    {
        return std::make_unique<Reader>(const_cast<CountedSource &>(*this), m_inner.openReader());
    }

private:
    class Reader final : public SourceReader
    {
    public:
        Reader(CountedSource &source, std::unique_ptr<SourceReader> inner)
            : m_source(source)
            , m_inner(std::move(inner))
        {
            ++m_source.liveReaders;
            ++m_source.openedReaders;
        }
        ~Reader() override { --m_source.liveReaders; }
        Status read(const SourceFile &file, const ContentSink &sink) override
        {
            ++m_source.readsInFlight;
            Status status = m_inner->read(file, sink);
            --m_source.readsInFlight;
            return status;
        }

    private:
        CountedSource &m_source;
        std::unique_ptr<SourceReader> m_inner;
    };

    const Source &m_inner;
};

// Reads every file of source through a ReadAhead, in order, as a layer's tar writer does.
Status readAll(const Source &source, QThreadPool *pool, int threads, QHash<QString, QByteArray> *read)
{
    const QList<SourceFile> &files = source.files();
    const std::unique_ptr<SourceReader> reader = source.openReader();
    ReadAhead ahead(source, files, *reader, pool, threads);
    for (qsizetype i = 0; i < files.size(); ++i) {
        if (files.at(i).kind == SourceFile::Kind::Symlink)
            continue;
        QByteArray content;
        Status status = ahead.read(i, [&content](const char *data, qsizetype size) {
            content.append(data, size);
            return success();
        });
        if (!status)
            return status;
        read->insert(files.at(i).path, content);
    }
    return success();
}

} // namespace

class TestReadAhead final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QTemporaryDir m_cache;
    QHash<QString, QByteArray> m_written;

    std::unique_ptr<Source> open()
    {
        SourceOptions options;
        options.location = m_dir.path();
        options.cacheDir = m_cache.path();
        auto opened = openSource(options);
        if (!opened)
            qWarning().noquote() << opened.error().message;
        return opened ? std::move(opened).value() : nullptr;
    }

private Q_SLOTS:
    void initTestCase()
    {
        // Many batches: small files, files around the batch size, two over the read-ahead bound
        // (read by the writer itself), empty files and symlinks between them.
        QRandomGenerator random(12);
        QVERIFY(QDir(m_dir.path()).mkpath(QStringLiteral("d")));
        for (int i = 0; i < 3000; ++i) {
            qsizetype size = random.bounded(4096);
            if (i % 97 == 0)
                size = random.bounded(3 << 20);
            if (i == 1001 || i == 2501)
                size = (17 << 20) + i;
            if (i % 50 == 0)
                size = 0;
            QByteArray content(size, Qt::Uninitialized);
            for (qsizetype b = 0; b < size; b += 4)
                content[b] = char(random.bounded(256));
            const QString name = QStringLiteral("d/file%1.bin").arg(i, 4, 10, QLatin1Char('0'));
            QFile file(m_dir.filePath(name));
            QVERIFY(file.open(QIODevice::WriteOnly));
            QCOMPARE(file.write(content), size);
            m_written.insert(name, content);
            if (i % 300 == 0)
                QVERIFY(QFile::link(QStringLiteral("file%1.bin").arg(i, 4, 10, QLatin1Char('0')),
                                    m_dir.filePath(QStringLiteral("d/link%1").arg(i))));
        }
    }

    void everyFileArrivesWhole_data()
    {
        QTest::addColumn<int>("threads");
        QTest::newRow("no pool") << 0;
        QTest::newRow("one thread") << 1;
        QTest::newRow("four threads") << 4;
    }
    void everyFileArrivesWhole()
    {
        QFETCH(int, threads);
        const std::unique_ptr<Source> source = open();
        QVERIFY(source);
        QThreadPool pool;
        pool.setMaxThreadCount(std::max(1, threads));
        QHash<QString, QByteArray> read;
        Status status = readAll(*source, threads > 0 ? &pool : nullptr, threads, &read);
        QVERIFY2(status, qPrintable(status ? QString() : status.error().message));
        QCOMPARE(read.size(), m_written.size());
        for (auto it = m_written.cbegin(); it != m_written.cend(); ++it)
            QVERIFY2(read.value(it.key()) == it.value(), qPrintable(it.key()));
    }

    // A file read ahead that fails (changed after the listing) fails the read of that file, not
    // an earlier one; the writer sees the reader's own error.
    void aFailedReadSurfacesAtItsFile()
    {
        const std::unique_ptr<Source> source = open();
        QVERIFY(source);
        const QString victim = QStringLiteral("d/file0123.bin");
        QFile file(m_dir.filePath(victim));
        QVERIFY(file.open(QIODevice::Append));
        file.write("changed");
        file.close();

        QThreadPool pool;
        pool.setMaxThreadCount(4);
        QHash<QString, QByteArray> read;
        Status status = readAll(*source, &pool, 4, &read);
        QVERIFY(!status);
        QVERIFY2(status.error().message.contains(victim), qPrintable(status.error().message));
        QCOMPARE(read.size(), 123); // file0000 .. file0122, every one whole
        QCOMPARE(read.value(QStringLiteral("d/file0122.bin")),
                 m_written.value(QStringLiteral("d/file0122.bin")));

        QVERIFY(file.resize(m_written.value(victim).size()));
    }

    // A writer that stops early (cancelled, or its encoder failed) leaves nothing running.
    void stoppingEarlyWaitsForTheThreads()
    {
        const std::unique_ptr<Source> opened = open();
        QVERIFY(opened);
        CountedSource source(*opened);
        QThreadPool pool;
        pool.setMaxThreadCount(4);
        const std::unique_ptr<SourceReader> reader = source.openReader();
        {
            ReadAhead ahead(source, source.files(), *reader, &pool, 4);
            QByteArray first;
            QVERIFY(ahead.read(0, [&first](const char *data, qsizetype size) {
                first.append(data, size);
                return success();
            }));
            QCOMPARE(first, m_written.value(source.files().at(0).path));
        }
        // No read is left running, and every reader it opened on the pool is gone. (The pool's
        // own count of active threads drops a moment after the last task returns, so it is not
        // what is checked here.)
        QVERIFY(source.openedReaders > 1); // it did read ahead on the pool
        QCOMPARE(source.readsInFlight.load(), 0);
        QCOMPARE(source.liveReaders.load(), 1);
    }
};

QTEST_GUILESS_MAIN(TestReadAhead)
#include "tst_readahead.moc"
