#include "readahead.h"

#include <QThreadPool>

#include <condition_variable>
#include <mutex>
#include <optional>
#include <vector>

namespace slipway {
namespace {

// A batch closes at this many bytes or files: small enough to spread over the threads, large
// enough that handing one over costs nothing next to reading it.
constexpr qint64 batchBytes = qint64(1) << 20;
constexpr qsizetype batchFiles = 256;
// At most this much is held read ahead of the writer. A larger file is read by the writer itself.
constexpr qint64 maxAheadBytes = qint64(16) << 20;

enum class BatchState
{
    Waiting, // nobody has started it
    Reading, // a pool thread is reading it
    Ready,   // read ahead: contents (or error) are set
    Inline,  // the writer reads it itself
};

struct Batch
{
    qsizetype first = 0;
    qsizetype end = 0; // files [first, end)
    qint64 bytes = 0;
    bool writerOnly = false; // one file larger than maxAheadBytes
    BatchState state = BatchState::Waiting;
    QList<QByteArray> contents; // of files first.. while Ready, up to the one that failed
    std::optional<Error> error; // reading files[first + contents.size()] failed
};

} // namespace

class ReadAhead::Private
{
public:
    Private(const Source &source, const QList<SourceFile> &files, SourceReader &reader, QThreadPool *pool,
            int maxThreads)
        : m_source(source)
        , m_files(files)
        , m_reader(reader)
        , m_pool(pool)
        , m_maxThreads(maxThreads)
    {
        Batch batch;
        const auto close = [&](qsizetype end) {
            batch.end = end;
            if (batch.end > batch.first)
                m_batches.push_back(std::move(batch));
            batch = Batch{};
            batch.first = end;
        };
        for (qsizetype i = 0; i < files.size(); ++i) {
            const SourceFile &file = files.at(i);
            if (file.kind != SourceFile::Kind::Symlink && file.size > maxAheadBytes) {
                close(i);
                batch.bytes = file.size;
                batch.writerOnly = true;
                close(i + 1);
                continue;
            }
            if (file.kind != SourceFile::Kind::Symlink)
                batch.bytes += file.size;
            if (batch.bytes >= batchBytes || i + 1 - batch.first >= batchFiles)
                close(i + 1);
        }
        close(files.size());
    }

    ~Private()
    {
        std::unique_lock lock(m_mutex);
        m_changed.wait(lock, [&] { return m_reading == 0; });
    }

    Status read(qsizetype index, const ContentSink &sink);

private:
    void scheduleAhead();
    void readBatch(size_t which);

    const Source &m_source;
    const QList<SourceFile> &m_files;
    SourceReader &m_reader;
    QThreadPool *m_pool = nullptr;
    int m_maxThreads = 1;
    std::vector<Batch> m_batches;
    size_t m_current = 0; // the batch the writer is in
    size_t m_next = 0;    // the next batch to read ahead

    std::mutex m_mutex; // guards the states, contents and errors of batches, and what follows
    std::condition_variable m_changed;
    int m_reading = 0;
    qint64 m_aheadBytes = 0; // of batches read or being read ahead of m_current
    std::vector<std::unique_ptr<SourceReader>> m_spareReaders;
};

Status ReadAhead::Private::read(qsizetype index, const ContentSink &sink)
{
    {
        std::unique_lock lock(m_mutex);
        while (m_current < m_batches.size() && m_batches[m_current].end <= index) {
            Batch &done = m_batches[m_current];
            // A batch of symlinks only is passed without a read: it may still be being read.
            m_changed.wait(lock, [&] { return done.state != BatchState::Reading; });
            if (done.state == BatchState::Ready)
                m_aheadBytes -= done.bytes;
            done.contents = {};
            ++m_current;
        }
    }
    if (m_current >= m_batches.size() || index < m_batches[m_current].first)
        return Error::failed(QStringLiteral("read ahead: file %1 asked for out of order").arg(index));
    scheduleAhead();

    Batch &batch = m_batches[m_current];
    {
        std::unique_lock lock(m_mutex);
        if (batch.state == BatchState::Waiting)
            batch.state = BatchState::Inline;
        else
            m_changed.wait(lock, [&] { return batch.state != BatchState::Reading; });
    }
    const qsizetype offset = index - batch.first;
    if (batch.state == BatchState::Ready && offset < batch.contents.size()) {
        const QByteArray &content = batch.contents.at(offset);
        return sink(content.constData(), content.size());
    }
    if (batch.state == BatchState::Ready && batch.error && offset == batch.contents.size())
        return *batch.error;
    return m_reader.read(m_files.at(index), sink);
}

void ReadAhead::Private::scheduleAhead()
{
    if (!m_pool || m_maxThreads < 1)
        return;
    const size_t maxBatchesAhead = size_t(m_maxThreads) * 2 + 2;
    for (;;) {
        {
            const std::lock_guard lock(m_mutex);
            if (m_next <= m_current)
                m_next = m_current + 1;
            while (m_next < m_batches.size() && m_batches[m_next].writerOnly)
                ++m_next;
            if (m_next >= m_batches.size() || m_reading >= m_maxThreads ||
                m_next - m_current > maxBatchesAhead ||
                (m_aheadBytes > 0 && m_aheadBytes + m_batches[m_next].bytes > maxAheadBytes))
                return;
            // Marked before it starts, so that the thread finds it marked and the count is right.
            m_batches[m_next].state = BatchState::Reading;
            ++m_reading;
            m_aheadBytes += m_batches[m_next].bytes;
        }
        const size_t which = m_next;
        // tryStart, never start(): the writer may itself run on a pool thread.
        const bool started = m_pool->tryStart([this, which] { readBatch(which); });
        const std::lock_guard lock(m_mutex);
        if (!started) {
            m_batches[which].state = BatchState::Waiting;
            --m_reading;
            m_aheadBytes -= m_batches[which].bytes;
            return;
        }
        ++m_next;
    }
}

void ReadAhead::Private::readBatch(size_t which)
{
    std::unique_ptr<SourceReader> reader;
    {
        const std::lock_guard lock(m_mutex);
        if (!m_spareReaders.empty()) {
            reader = std::move(m_spareReaders.back());
            m_spareReaders.pop_back();
        }
    }
    if (!reader)
        reader = m_source.openReader();

    Batch &batch = m_batches[which];
    QList<QByteArray> contents;
    contents.reserve(batch.end - batch.first);
    std::optional<Error> error;
    for (qsizetype i = batch.first; i < batch.end; ++i) {
        const SourceFile &file = m_files.at(i);
        QByteArray content;
        content.reserve(qsizetype(file.size));
        Status status = reader->read(file, [&content](const char *data, qsizetype size) {
            content.append(data, size);
            return success();
        });
        if (!status) {
            error = status.error();
            break;
        }
        contents.append(std::move(content));
    }

    const std::lock_guard lock(m_mutex);
    batch.contents = std::move(contents);
    batch.error = std::move(error);
    batch.state = BatchState::Ready;
    m_spareReaders.push_back(std::move(reader));
    --m_reading;
    m_changed.notify_all();
}

ReadAhead::ReadAhead(const Source &source, const QList<SourceFile> &files, SourceReader &reader,
                     QThreadPool *pool, int maxThreads)
    : d(std::make_unique<Private>(source, files, reader, pool, maxThreads))
{}

ReadAhead::~ReadAhead() = default;

Status ReadAhead::read(qsizetype index, const ContentSink &sink)
{
    return d->read(index, sink);
}

} // namespace slipway
