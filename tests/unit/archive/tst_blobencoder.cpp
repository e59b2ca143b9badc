#include "archive/blobencoder.h"
#include "util/sha256.h"

#include <QFile>
#include <QProcess>
#include <QRandomGenerator>
#include <QSemaphore>
#include <QTemporaryDir>
#include <QTest>
#include <QThreadPool>
#include <QtConcurrent/QtConcurrentRun>

#include <libdeflate.h>

using namespace slipway;

namespace {

constexpr qsizetype MiB = 1024 * 1024;

// JavaScript-looking text: compresses roughly as well as real source (about 4-5x with gzip -6).
QByteArray sourceText(qsizetype size, quint32 seed)
{
    static const char *const words[] = {
        "const",  "let",     "function", "return", "if",      "else",     "for",    "of",      "import",
        "export", "default", "from",     "async",  "await",   "new",      "this",   "null",    "true",
        "false",  "props",   "state",    "render", "value",   "index",    "items",  "length",  "map",
        "filter", "reduce",  "push",     "then",   "catch",   "console",  "log",    "error",   "options",
        "config", "request", "response", "data",   "result",  "callback", "module", "require", "handler",
        "server", "client",  "router",   "path",   "express", "useState", "object", "string",  "number",
    };
    static const char *const punctuation[] = {" = ", "(", ")",    " {\n", "}\n", ";\n",
                                              ", ",  ".", " => ", "[",    "]",   ": "};
    QRandomGenerator random(seed);
    QByteArray text;
    text.reserve(size + 64);
    int indent = 0;
    while (text.size() < size) {
        const quint32 pick = random.bounded(100u);
        if (pick < 60) {
            text.append(words[random.bounded(quint32(std::size(words)))]);
        } else if (pick < 70) {
            text.append(QByteArray::number(random.bounded(100000u)));
        } else if (pick < 75) {
            text.append("\"");
            text.append(QByteArray::number(random.generate64(), 36));
            text.append("\"");
        } else {
            const char *p = punctuation[random.bounded(quint32(std::size(punctuation)))];
            text.append(p);
            if (p[qstrlen(p) - 1] == '\n') {
                indent = int(random.bounded(6u));
                text.append(QByteArray(indent * 2, ' '));
            }
        }
    }
    text.truncate(size);
    return text;
}

QByteArray randomBytes(qsizetype size, quint32 seed)
{
    QByteArray data(size, Qt::Uninitialized);
    QRandomGenerator random(seed);
    const qsizetype words = size / 4;
    random.fillRange(reinterpret_cast<quint32 *>(data.data()), words);
    for (qsizetype i = words * 4; i < size; ++i)
        data[i] = char(random.generate());
    return data;
}

// Incompressible and compressible stretches, not aligned to the chunk size.
QByteArray mixed(qsizetype size)
{
    QByteArray data;
    quint32 seed = 1;
    while (data.size() < size) {
        data.append(randomBytes(300 * 1024 + 17, seed++));
        data.append(sourceText(700 * 1024 + 5, seed++));
        data.append(QByteArray(200 * 1024, '\0'));
    }
    data.truncate(size);
    return data;
}

struct Encoded
{
    QByteArray bytes;
    EncodedBlob blob;
    qsizetype sinkCallsBeforeFinish = 0;
    qint64 bytesOutBeforeFinish = 0;
    bool ok = false;
    QString error;
};

// Writes `input` in pieces of `pieceSize` (0: random sizes up to 256 KiB).
Encoded encode(const QByteArray &input, Compression compression, QThreadPool *pool, int maxThreads,
               qsizetype pieceSize = 0, quint32 seed = 7)
{
    Encoded result;
    qsizetype sinkCalls = 0;
    BlobEncoder encoder(
        compression,
        [&](const char *data, qsizetype size) -> Status {
            ++sinkCalls;
            result.bytes.append(data, size);
            return success();
        },
        pool, maxThreads);
    QRandomGenerator random(seed);
    qsizetype offset = 0;
    while (offset < input.size()) {
        const qsizetype n = std::min(input.size() - offset,
                                     pieceSize > 0 ? pieceSize : qsizetype(1 + random.bounded(256 * 1024)));
        Status status = encoder.write(input.constData() + offset, n);
        if (!status.ok()) {
            result.error = status.error().message;
            return result;
        }
        offset += n;
    }
    result.sinkCallsBeforeFinish = sinkCalls;
    result.bytesOutBeforeFinish = encoder.bytesOut();
    Result<EncodedBlob> blob = encoder.finish();
    if (!blob.ok()) {
        result.error = blob.error().message;
        return result;
    }
    if (encoder.bytesIn() != input.size() || encoder.bytesOut() != result.bytes.size()) {
        result.error = QStringLiteral("byte counts disagree");
        return result;
    }
    result.blob = *blob;
    result.ok = true;
    return result;
}

struct Run
{
    int exitCode = -1;
    QByteArray output;
    QByteArray errors;
};

Run run(const QString &program, const QStringList &arguments)
{
    QProcess process;
    process.start(program, arguments);
    Run result;
    if (!process.waitForFinished(120000) || process.exitStatus() != QProcess::NormalExit)
        return result;
    result.exitCode = process.exitCode();
    result.output = process.readAllStandardOutput();
    result.errors = process.readAllStandardError();
    return result;
}

bool writeFile(const QString &path, const QByteArray &bytes)
{
    QFile file(path);
    return file.open(QIODevice::WriteOnly) && file.write(bytes) == bytes.size();
}

// Splits a multi-member gzip stream with libdeflate and returns each member's decompressed size.
QList<qsizetype> gzipMembers(const QByteArray &gzip, QByteArray *decompressed)
{
    QList<qsizetype> sizes;
    libdeflate_decompressor *decompressor = libdeflate_alloc_decompressor();
    QByteArray member(MiB, Qt::Uninitialized);
    qsizetype offset = 0;
    while (offset < gzip.size()) {
        size_t in = 0, out = 0;
        const auto result = libdeflate_gzip_decompress_ex(decompressor, gzip.constData() + offset,
                                                          size_t(gzip.size() - offset), member.data(),
                                                          size_t(member.size()), &in, &out);
        if (result != LIBDEFLATE_SUCCESS) {
            sizes.append(-1);
            break;
        }
        sizes.append(qsizetype(out));
        decompressed->append(member.constData(), qsizetype(out));
        offset += qsizetype(in);
    }
    libdeflate_free_decompressor(decompressor);
    return sizes;
}

Compression gzip(int level = 6)
{
    return {Compression::Algorithm::Gzip, level};
}

Compression zstd(int level = 3)
{
    return {Compression::Algorithm::Zstd, level};
}

Compression none()
{
    return {Compression::Algorithm::None, 0};
}

} // namespace

class TestBlobEncoder : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void sameBytesForAnyThreadCount_data();
    void sameBytesForAnyThreadCount();
    void sameBytesForAnyWriteSizes_data();
    void sameBytesForAnyWriteSizes();
    void gzipMembersAndHeader();
    void zstdWorkersDoNotChangeOutput();
    void levels();
    void passThrough();
    void streamsWhileWriting();
    void busyPoolCompressesInline();
    void producerOnPoolThread();
    void sinkErrorStops();
    void badLevelIsAnError();
    void compressionNames();
    void fromName_data();
    void fromName();

private:
    QThreadPool m_pool;
    QTemporaryDir m_dir;
};

void TestBlobEncoder::initTestCase()
{
    QVERIFY(m_dir.isValid());
    m_pool.setMaxThreadCount(4);
    for (const char *tool : {"gzip", "zstd", "sha256sum"})
        QVERIFY2(run(QString::fromLatin1(tool), {QStringLiteral("--version")}).exitCode == 0, tool);
}

void TestBlobEncoder::sameBytesForAnyThreadCount_data()
{
    QTest::addColumn<Compression>("compression");
    QTest::addColumn<QByteArray>("input");
    const QList<std::pair<const char *, QByteArray>> inputs = {
        {"empty", QByteArray()},
        {"small", sourceText(1000, 1)},
        {"two chunks exactly", sourceText(2 * MiB, 2)},
        {"text, not chunk-aligned", sourceText(3 * MiB + 12345, 3)},
        {"incompressible", randomBytes(5 * MiB + 1, 4)},
        {"mixed", mixed(6 * MiB + 777)},
    };
    for (const auto &compression : {gzip(), zstd(), none()}) {
        for (const auto &[name, input] : inputs)
            QTest::addRow("%s %s", qPrintable(compression.name()), name) << compression << input;
    }
}

void TestBlobEncoder::sameBytesForAnyThreadCount()
{
    QFETCH(Compression, compression);
    QFETCH(QByteArray, input);

    const Encoded reference = encode(input, compression, &m_pool, 1);
    QVERIFY2(reference.ok, qPrintable(reference.error));
    for (int threads : {2, 4}) {
        const Encoded other = encode(input, compression, &m_pool, threads);
        QVERIFY2(other.ok, qPrintable(other.error));
        QVERIFY2(other.bytes == reference.bytes, qPrintable(QStringLiteral("maxThreads %1").arg(threads)));
        QCOMPARE(other.blob.digest, reference.blob.digest);
    }

    QCOMPARE(reference.blob.diffId, Sha256::digestOf(input));
    QCOMPARE(reference.blob.uncompressedSize, input.size());
    QCOMPARE(reference.blob.size, reference.bytes.size());

    // The real tools agree: digest, integrity, content.
    const QString path = m_dir.filePath(QStringLiteral("blob.") + compression.name());
    QVERIFY(writeFile(path, reference.bytes));
    const Run sum = run(QStringLiteral("sha256sum"), {path});
    QCOMPARE(sum.exitCode, 0);
    QCOMPARE(reference.blob.digest, QStringLiteral("sha256:") + QString::fromLatin1(sum.output.left(64)));

    if (compression.algorithm == Compression::Algorithm::None) {
        QVERIFY(reference.bytes == input);
        QCOMPARE(reference.blob.digest, reference.blob.diffId);
        return;
    }
    const QString tool = compression.name();
    const Run test = run(tool, {QStringLiteral("-t"), path});
    QVERIFY2(test.exitCode == 0, test.errors.constData());
    const Run decompress = run(tool, {QStringLiteral("-dc"), path});
    QVERIFY2(decompress.exitCode == 0, decompress.errors.constData());
    QVERIFY(decompress.output == input);
}

void TestBlobEncoder::sameBytesForAnyWriteSizes_data()
{
    QTest::addColumn<Compression>("compression");
    QTest::newRow("gzip") << gzip();
    QTest::newRow("zstd") << zstd();
}

void TestBlobEncoder::sameBytesForAnyWriteSizes()
{
    QFETCH(Compression, compression);
    const QByteArray input = mixed(4 * MiB + 99);
    const Encoded whole = encode(input, compression, &m_pool, 2, input.size());
    QVERIFY(whole.ok);
    for (qsizetype piece : {qsizetype(512), qsizetype(MiB), qsizetype(MiB + 1), qsizetype(0)}) {
        const Encoded pieces = encode(input, compression, &m_pool, 2, piece, quint32(piece) + 3);
        QVERIFY(pieces.ok);
        QVERIFY2(pieces.bytes == whole.bytes, qPrintable(QString::number(piece)));
    }
}

void TestBlobEncoder::gzipMembersAndHeader()
{
    const QByteArray input = sourceText(3 * MiB + 5, 11);
    const Encoded encoded = encode(input, gzip(), &m_pool, 4);
    QVERIFY(encoded.ok);
    QByteArray decompressed;
    const QList<qsizetype> members = gzipMembers(encoded.bytes, &decompressed);
    QCOMPARE(members, (QList<qsizetype>{MiB, MiB, MiB, 5}));
    QVERIFY(decompressed == input);
    // A fixed header: magic, deflate, no flags, mtime 0; no name, no timestamp from the clock.
    QCOMPARE(encoded.bytes.left(8), QByteArray("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8));

    // No input is one empty member, which gzip accepts.
    const Encoded empty = encode(QByteArray(), gzip(), &m_pool, 4);
    QVERIFY(empty.ok);
    QCOMPARE(empty.bytes.left(8), QByteArray("\x1f\x8b\x08\x00\x00\x00\x00\x00", 8));
    decompressed.clear();
    QCOMPARE(gzipMembers(empty.bytes, &decompressed), QList<qsizetype>{0});
}

void TestBlobEncoder::zstdWorkersDoNotChangeOutput()
{
    // Large enough for libzstd to cut several jobs (about 8 MiB each at level 3).
    const QByteArray input = sourceText(26 * MiB, 21);
    const Encoded one = encode(input, zstd(), nullptr, 1);
    const Encoded four = encode(input, zstd(), nullptr, 4);
    QVERIFY(one.ok && four.ok);
    QVERIFY(one.bytes == four.bytes);
    QVERIFY2(one.bytes.size() < input.size() / 2, qPrintable(QString::number(one.bytes.size())));
}

void TestBlobEncoder::levels()
{
    const QByteArray input = sourceText(2 * MiB + 3, 31);
    QMap<int, qsizetype> gzipSizes;
    for (int level : {1, 6, 9, 12}) {
        const Encoded encoded = encode(input, gzip(level), &m_pool, 2);
        QVERIFY(encoded.ok);
        QByteArray decompressed;
        gzipMembers(encoded.bytes, &decompressed);
        QVERIFY(decompressed == input);
        gzipSizes[level] = encoded.bytes.size();
    }
    QVERIFY(gzipSizes[1] > gzipSizes[6]);
    QVERIFY(gzipSizes[6] >= gzipSizes[12]);

    const QByteArray smaller = input.left(MiB);
    const Encoded fast = encode(smaller, zstd(1), nullptr, 2);
    const Encoded strong = encode(smaller, zstd(19), nullptr, 2);
    QVERIFY(fast.ok && strong.ok);
    QVERIFY(strong.bytes.size() < fast.bytes.size());
    const QString path = m_dir.filePath(QStringLiteral("level19.zst"));
    QVERIFY(writeFile(path, strong.bytes));
    const Run decompress = run(QStringLiteral("zstd"), {QStringLiteral("-dc"), path});
    QCOMPARE(decompress.exitCode, 0);
    QVERIFY(decompress.output == smaller);
}

void TestBlobEncoder::passThrough()
{
    const QByteArray input = randomBytes(3 * MiB + 1, 41);
    const Encoded encoded = encode(input, none(), &m_pool, 4);
    QVERIFY(encoded.ok);
    QVERIFY(encoded.bytes == input);
    QCOMPARE(encoded.blob.digest, Sha256::digestOf(input));
    QCOMPARE(encoded.blob.diffId, encoded.blob.digest);
    QCOMPARE(encoded.blob.size, input.size());
    QCOMPARE(encoded.blob.uncompressedSize, input.size());
}

void TestBlobEncoder::streamsWhileWriting()
{
    // Compressed chunks reach the sink as the input goes in, not all at finish(): memory stays
    // bounded by a few chunks whatever the layer size.
    const int maxThreads = 2;
    const qsizetype chunks = 12; // of 1 MiB, the encoder's gzip chunk size
    const QByteArray input = sourceText(chunks * MiB, 51);
    const Encoded encoded = encode(input, gzip(), &m_pool, maxThreads, 64 * 1024);
    QVERIFY(encoded.ok);
    // Every chunk is submitted while writing. The encoder keeps at most maxThreads + 2 chunks in
    // flight (BlobEncoder::Private::waitForRoom), so before finish() at least the other 12 - 4 = 8
    // have reached the sink, one call each, however slowly the pool compresses them.
    const qsizetype maxInFlight = maxThreads + 2;
    QVERIFY2(encoded.sinkCallsBeforeFinish >= chunks - maxInFlight,
             qPrintable(QString::number(encoded.sinkCallsBeforeFinish)));
    QVERIFY(encoded.bytesOutBeforeFinish > encoded.bytes.size() / 2);
}

void TestBlobEncoder::busyPoolCompressesInline()
{
    // Every pool thread is taken: tryStart fails, and the producer compresses by itself.
    QThreadPool busy;
    busy.setMaxThreadCount(1);
    QSemaphore started, release;
    busy.start([&] {
        started.release();
        release.acquire();
    });
    started.acquire();
    const QByteArray input = mixed(3 * MiB + 1);
    const Encoded encoded = encode(input, gzip(), &busy, 4);
    release.release();
    busy.waitForDone();
    QVERIFY2(encoded.ok, qPrintable(encoded.error));
    QVERIFY(encoded.bytes == encode(input, gzip(), nullptr, 1).bytes);
}

void TestBlobEncoder::producerOnPoolThread()
{
    // A layer job on the pool encodes with the same pool: no deadlock, same bytes.
    const QByteArray input = sourceText(5 * MiB + 3, 61);
    const QByteArray expected = encode(input, gzip(), nullptr, 1).bytes;
    for (int threads : {1, 2}) {
        QThreadPool pool;
        pool.setMaxThreadCount(threads);
        QFuture<Encoded> future = QtConcurrent::run(&pool, [&] { return encode(input, gzip(), &pool, 4); });
        const Encoded encoded = future.result();
        QVERIFY2(encoded.ok, qPrintable(encoded.error));
        QVERIFY(encoded.bytes == expected);
    }
}

void TestBlobEncoder::sinkErrorStops()
{
    for (const Compression &compression : {gzip(), zstd(), none()}) {
        int calls = 0;
        BlobEncoder encoder(
            compression,
            [&](const char *, qsizetype) -> Status {
                if (++calls == 2)
                    return Error::failed(
                        QStringLiteral("cannot write /store/ingest/abc: No space left on device"));
                return success();
            },
            &m_pool, 2);
        const QByteArray input = randomBytes(4 * MiB, 71);
        Status status = success();
        for (qsizetype offset = 0; offset < input.size() && status.ok(); offset += 256 * 1024)
            status = encoder.write(input.constData() + offset, 256 * 1024);
        Result<EncodedBlob> blob = encoder.finish();
        QVERIFY(!blob.ok());
        QCOMPARE(blob.error().message,
                 QStringLiteral("cannot write /store/ingest/abc: No space left on device"));
        QCOMPARE(calls, 2);
    }
}

void TestBlobEncoder::badLevelIsAnError()
{
    BlobEncoder encoder(
        gzip(13), [](const char *, qsizetype) { return success(); }, nullptr, 1);
    const Status status = encoder.write("x", 1);
    QVERIFY(!status.ok());
    QVERIFY(status.error().message.contains(QStringLiteral("13")));
}

void TestBlobEncoder::compressionNames()
{
    QCOMPARE(gzip().name(), QStringLiteral("gzip"));
    QCOMPARE(zstd().name(), QStringLiteral("zstd"));
    QCOMPARE(none().name(), QStringLiteral("none"));
    QCOMPARE(gzip().layerMediaType(), QStringLiteral("application/vnd.oci.image.layer.v1.tar+gzip"));
    QCOMPARE(zstd().layerMediaType(), QStringLiteral("application/vnd.oci.image.layer.v1.tar+zstd"));
    QCOMPARE(none().layerMediaType(), QStringLiteral("application/vnd.oci.image.layer.v1.tar"));
    const QStringList keys = {gzip(6).cacheKey(), gzip(9).cacheKey(), zstd(6).cacheKey(), zstd(9).cacheKey(),
                              none().cacheKey()};
    QCOMPARE(QSet<QString>(keys.begin(), keys.end()).size(), keys.size());
    QVERIFY(gzip().cacheKey().contains(QStringLiteral("1048576")));
}

void TestBlobEncoder::fromName_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("level");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<int>("algorithm");
    QTest::addColumn<int>("expectedLevel");
    QTest::addColumn<QString>("mentioned");
    const int gz = int(Compression::Algorithm::Gzip), zs = int(Compression::Algorithm::Zstd),
              no = int(Compression::Algorithm::None);
    QTest::newRow("gzip default") << QStringLiteral("gzip") << -1 << true << gz << 3 << QString();
    QTest::newRow("zstd default") << QStringLiteral("zstd") << -1 << true << zs << 3 << QString();
    QTest::newRow("none") << QStringLiteral("none") << -1 << true << no << 0 << QString();
    QTest::newRow("gzip 1") << QStringLiteral("gzip") << 1 << true << gz << 1 << QString();
    QTest::newRow("gzip 12") << QStringLiteral("gzip") << 12 << true << gz << 12 << QString();
    QTest::newRow("zstd 19") << QStringLiteral("zstd") << 19 << true << zs << 19 << QString();
    QTest::newRow("upper case") << QStringLiteral("ZSTD") << 5 << true << zs << 5 << QString();
    QTest::newRow("gzip 0") << QStringLiteral("gzip") << 0 << false << 0 << 0 << QStringLiteral("0");
    QTest::newRow("gzip 13") << QStringLiteral("gzip") << 13 << false << 0 << 0 << QStringLiteral("13");
    QTest::newRow("zstd 20") << QStringLiteral("zstd") << 20 << false << 0 << 0 << QStringLiteral("20");
    QTest::newRow("unknown") << QStringLiteral("lz4") << -1 << false << 0 << 0 << QStringLiteral("\"lz4\"");
    QTest::newRow("empty") << QString() << -1 << false << 0 << 0 << QStringLiteral("\"\"");
}

void TestBlobEncoder::fromName()
{
    QFETCH(QString, name);
    QFETCH(int, level);
    QFETCH(bool, ok);
    QFETCH(int, algorithm);
    QFETCH(int, expectedLevel);
    QFETCH(QString, mentioned);
    const Result<Compression> compression = Compression::fromName(name, level);
    QCOMPARE(compression.ok(), ok);
    if (ok) {
        QCOMPARE(int(compression->algorithm), algorithm);
        QCOMPARE(compression->level, expectedLevel);
    } else {
        QCOMPARE(compression.error().kind, Error::Kind::BadInput);
        QVERIFY2(compression.error().message.contains(mentioned), qPrintable(compression.error().message));
    }
}

QTEST_GUILESS_MAIN(TestBlobEncoder)
#include "tst_blobencoder.moc"
