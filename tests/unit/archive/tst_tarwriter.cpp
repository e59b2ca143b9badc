#include "archive/tarwriter.h"

#include <QCoreApplication>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>

#include <archive.h>
#include <archive_entry.h>

using namespace slipway;

namespace {

constexpr qint64 Mtime = 1700000000;

struct Entry
{
    QString name;
    mode_t type = 0;
    int perm = 0;
    qint64 uid = -1;
    qint64 gid = -1;
    qint64 mtime = -1;
    bool atimeSet = false;
    bool ctimeSet = false;
    QString uname;
    QString gname;
    QString symlink;
    QByteArray contents;
};

// Reads a tar back with libarchive's reader.
QList<Entry> readTar(const QByteArray &tar)
{
    QList<Entry> entries;
    struct archive *reader = archive_read_new();
    archive_read_support_format_tar(reader);
    if (archive_read_open_memory(reader, tar.constData(), size_t(tar.size())) != ARCHIVE_OK) {
        qWarning() << "cannot open tar:" << archive_error_string(reader);
        archive_read_free(reader);
        return {};
    }
    struct archive_entry *header = nullptr;
    int result;
    while ((result = archive_read_next_header(reader, &header)) == ARCHIVE_OK) {
        Entry entry;
        entry.name = QString::fromUtf8(archive_entry_pathname(header));
        entry.type = archive_entry_filetype(header);
        entry.perm = int(archive_entry_perm(header));
        entry.uid = archive_entry_uid(header);
        entry.gid = archive_entry_gid(header);
        entry.mtime = archive_entry_mtime(header);
        entry.atimeSet = archive_entry_atime_is_set(header);
        entry.ctimeSet = archive_entry_ctime_is_set(header);
        entry.uname = QString::fromUtf8(archive_entry_uname(header));
        entry.gname = QString::fromUtf8(archive_entry_gname(header));
        entry.symlink = QString::fromUtf8(archive_entry_symlink(header));
        char buffer[65536];
        la_ssize_t n;
        while ((n = archive_read_data(reader, buffer, sizeof buffer)) > 0)
            entry.contents.append(buffer, qsizetype(n));
        entries.append(entry);
    }
    if (result != ARCHIVE_EOF)
        qWarning() << "tar read error:" << archive_error_string(reader);
    archive_read_free(reader);
    return entries;
}

struct RawHeader
{
    QByteArray name; // prefix + "/" + name when the prefix is used
    char type = 0;
    QByteArray mode, uid, gid, mtime, uname, gname;
    QByteArray paxRecords; // the body of an 'x' header
};

QByteArray field(const char *record, int offset, int length)
{
    QByteArray value(record + offset, length);
    const qsizetype nul = value.indexOf('\0');
    if (nul >= 0)
        value.truncate(nul);
    return value;
}

// Walks the 512-byte records by hand, to see what a reader would hide (pax headers, blocking).
bool parseRaw(const QByteArray &tar, QList<RawHeader> &headers)
{
    if (tar.size() % 512 != 0)
        return false;
    qsizetype offset = 0;
    while (offset + 512 <= tar.size()) {
        const char *record = tar.constData() + offset;
        if (QByteArrayView(record, 512) == QByteArray(512, '\0')) {
            // End of archive: exactly two zero records, and nothing after them.
            return offset + 1024 == tar.size() && tar.mid(offset) == QByteArray(1024, '\0');
        }
        RawHeader header;
        const QByteArray prefix = field(record, 345, 155);
        header.name = field(record, 0, 100);
        if (!prefix.isEmpty())
            header.name = prefix + '/' + header.name;
        header.type = record[156];
        header.mode = field(record, 100, 8);
        header.uid = field(record, 108, 8);
        header.gid = field(record, 116, 8);
        header.mtime = field(record, 136, 12);
        header.uname = field(record, 265, 32);
        header.gname = field(record, 297, 32);
        if (field(record, 257, 6) != "ustar")
            return false;
        bool ok = false;
        const qint64 size = field(record, 124, 12).trimmed().toLongLong(&ok, 8);
        if (!ok)
            return false;
        offset += 512;
        if (header.type == 'x')
            header.paxRecords = tar.mid(offset, size);
        offset += (size + 511) / 512 * 512;
        headers.append(header);
    }
    return false;
}

// QVERIFY2 evaluates its message even when the check passes.
QString errorText(const Status &status)
{
    return status.ok() ? QString() : status.error().message;
}

Status appendTo(QByteArray &out, const char *data, qsizetype size)
{
    out.append(data, size);
    return success();
}

QByteArray bytes(int size, int seed)
{
    QByteArray data(size, Qt::Uninitialized);
    for (int i = 0; i < size; ++i)
        data[i] = char((i * 31 + seed * 7 + i / 13) & 0xff);
    return data;
}

const QString LongName = QStringLiteral("app/") + QString(160, QLatin1Char('n')) + QStringLiteral(".txt");
const QString LongDirName = QStringLiteral("app/") + QString(120, QLatin1Char('d')) + QStringLiteral("/") +
                            QString(60, QLatin1Char('f'));
const QString LongTarget = QString(150, QLatin1Char('t'));
const QString UnicodeName = QStringLiteral("app/caf\u00e9/na\u00efve \u2603.txt");

// The sample every determinism check writes, in this process and in a child.
Status writeSample(TarWriter &writer)
{
    // In sortKey() order: UTF-8 bytes, "caf\u00e9" before "current", "ddd" before "empty".
    const QList<std::function<Status()>> steps = {
        [&] { return writer.addDirectory(QStringLiteral("app")); },
        [&] { return writer.addFile(QStringLiteral("app/bin/server"), true, bytes(1000, 1)); },
        [&] {
            return writer.addFile(QStringLiteral("app/bin/tool.sh"), true,
                                  QByteArray("#!/bin/sh\necho hi\n"));
        },
        [&] { return writer.addFile(UnicodeName, false, QByteArray("unicode\n")); },
        [&] { return writer.addSymlink(QStringLiteral("app/current"), QStringLiteral("bin/server")); },
        [&] { return writer.addFile(LongDirName, false, bytes(100, 2)); },
        [&] { return writer.addFile(QStringLiteral("app/empty"), false, QByteArray()); },
        [&] { return writer.addSymlink(QStringLiteral("app/long-link"), LongTarget); },
        [&] { return writer.addFile(LongName, false, bytes(513, 3)); },
        [&] { return writer.addFile(QStringLiteral("app/src/main.js"), false, bytes(600, 4)); },
        [&] { return writer.addFile(QStringLiteral("etc/config/x.conf"), false, QByteArray("a=1\n")); },
        [&] {
            return writer.addSymlink(QStringLiteral("usr/bin/server"), QStringLiteral("/app/bin/server"));
        },
    };
    for (const auto &step : steps) {
        Status status = step();
        if (!status.ok())
            return status;
    }
    return writer.finish();
}

QByteArray sampleTar()
{
    QByteArray out;
    TarWriter writer([&](const char *data, qsizetype size) { return appendTo(out, data, size); }, Mtime);
    const Status status = writeSample(writer);
    if (!status.ok())
        qWarning() << status.error().message;
    return out;
}

} // namespace

class TestTarWriter : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void roundTrip();
    void rawHeaders();
    void parentDirectoriesOnceAndFirst();
    void explicitDirectoryAfterSiblings();
    void longNamesRoundTrip();
    void systemTarReadsIt();
    void identicalAcrossRuns();
    void identicalAcrossProcesses_data();
    void identicalAcrossProcesses();
    void emptyArchive();
    void streamShape();
    void fewerBytesThanDeclared();
    void moreBytesThanDeclared();
    void producerError();
    void sinkError();
    void badPaths_data();
    void badPaths();
    void largeFileInPieces();
};

void TestTarWriter::roundTrip()
{
    const QList<Entry> entries = readTar(sampleTar());
    QStringList names;
    for (const Entry &entry : entries)
        names.append(entry.name);
    const QStringList expected = {
        QStringLiteral("app/"),
        QStringLiteral("app/bin/"),
        QStringLiteral("app/bin/server"),
        QStringLiteral("app/bin/tool.sh"),
        QStringLiteral("app/caf\u00e9/"),
        UnicodeName,
        QStringLiteral("app/current"),
        LongDirName.section(QLatin1Char('/'), 0, 1) + QLatin1Char('/'),
        LongDirName,
        QStringLiteral("app/empty"),
        QStringLiteral("app/long-link"),
        LongName,
        QStringLiteral("app/src/"),
        QStringLiteral("app/src/main.js"),
        QStringLiteral("etc/"),
        QStringLiteral("etc/config/"),
        QStringLiteral("etc/config/x.conf"),
        QStringLiteral("usr/"),
        QStringLiteral("usr/bin/"),
        QStringLiteral("usr/bin/server"),
    };
    QCOMPARE(names, expected);
    for (const Entry &entry : entries) {
        QVERIFY2(expected.contains(entry.name), qPrintable(entry.name));
        QCOMPARE(entry.uid, 0);
        QCOMPARE(entry.gid, 0);
        QCOMPARE(entry.mtime, Mtime);
        QVERIFY(!entry.atimeSet);
        QVERIFY(!entry.ctimeSet);
        QVERIFY(entry.uname.isEmpty());
        QVERIFY(entry.gname.isEmpty());
        if (entry.name.endsWith(QLatin1Char('/'))) {
            QCOMPARE(entry.type, mode_t(AE_IFDIR));
            QCOMPARE(entry.perm, 0755);
        }
    }
    const auto find = [&](const QString &name) {
        for (const Entry &entry : entries) {
            if (entry.name == name)
                return entry;
        }
        return Entry{};
    };
    Entry server = find(QStringLiteral("app/bin/server"));
    QCOMPARE(server.type, mode_t(AE_IFREG));
    QCOMPARE(server.perm, 0755);
    QCOMPARE(server.contents, bytes(1000, 1));
    QCOMPARE(find(QStringLiteral("app/bin/tool.sh")).contents, QByteArray("#!/bin/sh\necho hi\n"));
    Entry current = find(QStringLiteral("app/current"));
    QCOMPARE(current.type, mode_t(AE_IFLNK));
    QCOMPARE(current.perm, 0777);
    QCOMPARE(current.symlink, QStringLiteral("bin/server"));
    Entry empty = find(QStringLiteral("app/empty"));
    QCOMPARE(empty.type, mode_t(AE_IFREG));
    QCOMPARE(empty.perm, 0644);
    QVERIFY(empty.contents.isEmpty());
    QCOMPARE(find(QStringLiteral("app/src/main.js")).contents, bytes(600, 4));
    QCOMPARE(find(QStringLiteral("app/src/main.js")).perm, 0644);
    QCOMPARE(find(QStringLiteral("usr/bin/server")).symlink, QStringLiteral("/app/bin/server"));
    QCOMPARE(find(UnicodeName).contents, QByteArray("unicode\n"));
    QCOMPARE(find(LongName).contents, bytes(513, 3));
    QCOMPARE(find(LongDirName).contents, bytes(100, 2));
    QCOMPARE(find(QStringLiteral("app/long-link")).symlink, LongTarget);
}

void TestTarWriter::rawHeaders()
{
    const QByteArray tar = sampleTar();
    QList<RawHeader> headers;
    QVERIFY(parseRaw(tar, headers));
    int paxHeaders = 0;
    for (const RawHeader &header : headers) {
        QVERIFY2(!header.name.startsWith('/'), header.name.constData());
        QCOMPARE(header.uid.trimmed().toInt(nullptr, 8), 0);
        QCOMPARE(header.gid.trimmed().toInt(nullptr, 8), 0);
        QCOMPARE(header.mtime.trimmed().toLongLong(nullptr, 8), Mtime);
        QVERIFY(header.uname.isEmpty());
        QVERIFY(header.gname.isEmpty());
        if (header.type == 'x') {
            ++paxHeaders;
            // "dir/PaxHeader/name": no pid, no times, only what the name or link needs.
            QVERIFY2(header.name.contains("PaxHeader/"), header.name.constData());
            QVERIFY2(!header.name.contains("PaxHeader."), header.name.constData());
            for (const QByteArray &record : header.paxRecords.split('\n')) {
                if (record.isEmpty())
                    continue;
                const qsizetype space = record.indexOf(' ');
                const QByteArray key = record.mid(space + 1, record.indexOf('=') - space - 1);
                QVERIFY2(key == "path" || key == "linkpath", record.constData());
            }
        } else {
            QVERIFY2(QByteArray("025").contains(header.type), QByteArray(1, header.type).constData());
        }
    }
    // The 168-char name that cannot be split, the 150-char symlink target, the non-ASCII file and
    // directory, and the 124-char directory (libarchive will not split a directory name at its
    // own trailing '/'). The 185-char file path fits ustar's prefix + name and needs none.
    QCOMPARE(paxHeaders, 5);
}

void TestTarWriter::parentDirectoriesOnceAndFirst()
{
    QStringList files = {
        QStringLiteral("a/b-c/x"), QStringLiteral("a/b.txt"),     QStringLiteral("a/b/c/d/e"),
        QStringLiteral("a/b/c/f"), QStringLiteral("a/b/g"),       QStringLiteral("a/b0/h"),
        QStringLiteral("b"),       QStringLiteral("c/d/e/f/g/h"), QStringLiteral("c/d/i"),
        QStringLiteral("c/j/k"),   QStringLiteral("z"),
    };
    std::sort(files.begin(), files.end(),
              [](const QString &l, const QString &r) { return l.toUtf8() < r.toUtf8(); });
    QByteArray out;
    TarWriter writer([&](const char *data, qsizetype size) { return appendTo(out, data, size); }, Mtime);
    for (const QString &file : files) {
        Status status = writer.addFile(file, false, file.toUtf8());
        QVERIFY2(status.ok(), qPrintable(errorText(status)));
    }
    QVERIFY(writer.finish().ok());
    QCOMPARE(writer.bytesWritten(), out.size());

    const QList<Entry> entries = readTar(out);
    QSet<QString> seen;
    for (const Entry &entry : entries) {
        QVERIFY2(!seen.contains(entry.name), qPrintable(entry.name));
        QString parent = entry.name;
        if (parent.endsWith(QLatin1Char('/')))
            parent.chop(1);
        const qsizetype slash = parent.lastIndexOf(QLatin1Char('/'));
        if (slash >= 0)
            QVERIFY2(seen.contains(parent.left(slash + 1)), qPrintable(entry.name));
        seen.insert(entry.name);
        if (entry.type == AE_IFREG)
            QCOMPARE(entry.contents, entry.name.toUtf8());
    }
    for (const QString &file : files)
        QVERIFY(seen.contains(file));
    const QStringList directories = {
        QStringLiteral("a/"),       QStringLiteral("a/b-c/"),     QStringLiteral("a/b/"),
        QStringLiteral("a/b/c/"),   QStringLiteral("a/b/c/d/"),   QStringLiteral("a/b0/"),
        QStringLiteral("c/"),       QStringLiteral("c/d/"),       QStringLiteral("c/d/e/"),
        QStringLiteral("c/d/e/f/"), QStringLiteral("c/d/e/f/g/"), QStringLiteral("c/j/"),
    };
    for (const QString &directory : directories)
        QVERIFY2(seen.contains(directory), qPrintable(directory));
    QCOMPARE(entries.size(), files.size() + directories.size());
    QCOMPARE(writer.entryCount(), entries.size());
}

void TestTarWriter::explicitDirectoryAfterSiblings()
{
    // A directory sorts as "a/b/": after "a/b-c/x" and "a/b.txt", right before its children.
    QByteArray out;
    TarWriter writer([&](const char *data, qsizetype size) { return appendTo(out, data, size); }, Mtime);
    QVERIFY(writer.addFile(QStringLiteral("a/b-c/x"), false, QByteArray("x")).ok());
    QVERIFY(writer.addFile(QStringLiteral("a/b.txt"), false, QByteArray("t")).ok());
    QVERIFY(writer.addDirectory(QStringLiteral("a/b/")).ok());
    QVERIFY(writer.addFile(QStringLiteral("a/b/y"), false, QByteArray("y")).ok());
    QVERIFY(writer.finish().ok());
    QStringList names;
    for (const Entry &entry : readTar(out))
        names.append(entry.name);
    QCOMPARE(names,
             (QStringList{QStringLiteral("a/"), QStringLiteral("a/b-c/"), QStringLiteral("a/b-c/x"),
                          QStringLiteral("a/b.txt"), QStringLiteral("a/b/"), QStringLiteral("a/b/y")}));
    QVERIFY(TarWriter::sortKey(QStringLiteral("a/b.txt"), false) <
            TarWriter::sortKey(QStringLiteral("a/b"), true));
    QVERIFY(TarWriter::sortKey(QStringLiteral("a/b"), true) <
            TarWriter::sortKey(QStringLiteral("a/b/y"), false));
}

void TestTarWriter::longNamesRoundTrip()
{
    const QString deep = QStringLiteral("x/") + QString(99, QLatin1Char('y')) + QStringLiteral("/") +
                         QString(100, QLatin1Char('z')) + QStringLiteral("/") +
                         QString(120, QLatin1Char('w'));
    QByteArray out;
    TarWriter writer([&](const char *data, qsizetype size) { return appendTo(out, data, size); }, Mtime);
    QVERIFY(writer.addSymlink(QString(150, QLatin1Char('l')), deep).ok());
    QVERIFY(writer.addFile(deep, true, QByteArray("deep")).ok());
    QVERIFY(writer.finish().ok());
    const QList<Entry> entries = readTar(out);
    QCOMPARE(entries.size(), 5); // link, x/, x/yyy/, x/yyy/zzz/, the file
    QCOMPARE(entries.at(0).name, QString(150, QLatin1Char('l')));
    QCOMPARE(entries.at(0).symlink, deep);
    QCOMPARE(entries.at(4).name, deep);
    QCOMPARE(entries.at(4).perm, 0755);
    QCOMPARE(entries.at(4).contents, QByteArray("deep"));
    QCOMPARE(entries.at(3).name, deep.section(QLatin1Char('/'), 0, 2) + QLatin1Char('/'));
}

void TestTarWriter::systemTarReadsIt()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString tarPath = dir.filePath(QStringLiteral("layer.tar"));
    QFile file(tarPath);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(sampleTar());
    file.close();

    QProcess list;
    QProcessEnvironment utc = QProcessEnvironment::systemEnvironment();
    utc.insert(QStringLiteral("TZ"), QStringLiteral("UTC")); // 1700000000 is 2023-11-14 22:13 UTC
    list.setProcessEnvironment(utc);
    list.start(QStringLiteral("tar"), {QStringLiteral("-tvf"), tarPath});
    QVERIFY(list.waitForFinished());
    QCOMPARE(list.exitStatus(), QProcess::NormalExit);
    QVERIFY2(list.exitCode() == 0, list.readAllStandardError().constData());
    const QString listing = QString::fromUtf8(list.readAllStandardOutput());
    const auto listed = [&](const QString &pattern) {
        return QRegularExpression(pattern, QRegularExpression::MultilineOption).match(listing).hasMatch();
    };
    QVERIFY2(listed(QStringLiteral("^-rwxr-xr-x 0/0 +1000 2023-11-14 22:13 app/bin/server$")),
             qPrintable(listing));
    QVERIFY(listed(QStringLiteral("^lrwxrwxrwx 0/0 +0 2023-11-14 22:13 app/current -> bin/server$")));
    QVERIFY(listed(QStringLiteral("^drwxr-xr-x 0/0 +0 2023-11-14 22:13 app/src/$")));
    QVERIFY(listed(QStringLiteral("^-rw-r--r-- 0/0 +0 2023-11-14 22:13 app/empty$")));
    QVERIFY(listing.contains(LongName));
    QVERIFY(listing.contains(UnicodeName));
    QVERIFY(!listing.contains(QStringLiteral("PaxHeader")));

    const QString target = dir.filePath(QStringLiteral("out"));
    QVERIFY(QDir().mkpath(target));
    QProcess extract;
    extract.start(QStringLiteral("tar"), {QStringLiteral("-xf"), tarPath, QStringLiteral("-C"), target});
    QVERIFY(extract.waitForFinished());
    QVERIFY2(extract.exitCode() == 0, extract.readAllStandardError().constData());
    QFile server(target + QStringLiteral("/app/bin/server"));
    QVERIFY(server.open(QIODevice::ReadOnly));
    QCOMPARE(server.readAll(), bytes(1000, 1));
    QVERIFY(server.permissions() & QFileDevice::ExeOwner);
    QCOMPARE(QFileInfo(target + QStringLiteral("/app/current")).symLinkTarget(),
             target + QStringLiteral("/app/bin/server"));
    QFile longFile(target + QLatin1Char('/') + LongName);
    QVERIFY(longFile.open(QIODevice::ReadOnly));
    QCOMPARE(longFile.readAll(), bytes(513, 3));
    QVERIFY(QFileInfo::exists(target + QLatin1Char('/') + UnicodeName));
    QCOMPARE(QFileInfo(target + QStringLiteral("/app/src/main.js")).lastModified().toSecsSinceEpoch(), Mtime);
}

void TestTarWriter::identicalAcrossRuns()
{
    const QByteArray first = sampleTar();
    QVERIFY(!first.isEmpty());
    QCOMPARE(sampleTar(), first);
}

void TestTarWriter::identicalAcrossProcesses_data()
{
    QTest::addColumn<QString>("locale");
    QTest::newRow("same environment") << QString();
    QTest::newRow("LC_ALL=C") << QStringLiteral("C"); // no UTF-8 locale: names must not change
}

void TestTarWriter::identicalAcrossProcesses()
{
    QFETCH(QString, locale);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("child.tar"));
    QProcess child;
    QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
    environment.insert(QStringLiteral("SLIPWAY_TARWRITER_OUT"), path);
    if (!locale.isEmpty())
        environment.insert(QStringLiteral("LC_ALL"), locale);
    child.setProcessEnvironment(environment);
    child.start(QCoreApplication::applicationFilePath(), {QStringLiteral("--write-sample-tar")});
    QVERIFY(child.waitForFinished(60000));
    QVERIFY2(child.exitCode() == 0, child.readAllStandardOutput().constData());
    QFile file(path);
    QVERIFY(file.open(QIODevice::ReadOnly));
    const QByteArray fromChild = file.readAll();
    QVERIFY(!fromChild.isEmpty());
    QVERIFY(fromChild == sampleTar());
}

void TestTarWriter::emptyArchive()
{
    QByteArray out;
    TarWriter writer([&](const char *data, qsizetype size) { return appendTo(out, data, size); }, Mtime);
    QVERIFY(writer.finish().ok());
    QCOMPARE(out, QByteArray(1024, '\0'));
    QVERIFY(readTar(out).isEmpty());
}

void TestTarWriter::streamShape()
{
    // No 10240-byte blocking: header, one data record, two zero records.
    QByteArray out;
    int calls = 0;
    TarWriter writer(
        [&](const char *data, qsizetype size) {
            ++calls;
            return appendTo(out, data, size);
        },
        Mtime);
    QVERIFY(writer.addFile(QStringLiteral("f"), false, QByteArray(100, 'x')).ok());
    QVERIFY(writer.finish().ok());
    QCOMPARE(out.size(), 512 + 512 + 1024);
    QVERIFY(out.endsWith(QByteArray(1024, '\0')));
    QCOMPARE(out.mid(512, 100), QByteArray(100, 'x'));
    QCOMPARE(out.mid(612, 412), QByteArray(412, '\0'));
    QVERIFY(calls >= 3); // handed over as written, not collected into blocks
    QCOMPARE(writer.bytesWritten(), out.size());
}

void TestTarWriter::fewerBytesThanDeclared()
{
    QByteArray out;
    TarWriter writer([&](const char *data, qsizetype size) { return appendTo(out, data, size); }, Mtime);
    const Status status = writer.addFile(QStringLiteral("app/short"), false, 10,
                                         [](const TarWriter::ContentSink &sink) { return sink("12345", 5); });
    QVERIFY(!status.ok());
    QVERIFY2(status.error().message.contains(QStringLiteral("app/short")), qPrintable(errorText(status)));
    QVERIFY(!status.error().message.contains(QLatin1Char('\n')));
    // The stream is unusable from here on, and says why.
    const Status next = writer.addFile(QStringLiteral("app/z"), false, QByteArray("z"));
    QVERIFY(!next.ok());
    QCOMPARE(next.error().message, status.error().message);
    QVERIFY(!writer.finish().ok());
}

void TestTarWriter::moreBytesThanDeclared()
{
    QByteArray out;
    TarWriter writer([&](const char *data, qsizetype size) { return appendTo(out, data, size); }, Mtime);
    bool sinkRefused = false;
    const Status status =
        writer.addFile(QStringLiteral("app/long"), false, 4, [&](const TarWriter::ContentSink &sink) {
            Status first = sink("123", 3);
            if (!first.ok())
                return first;
            Status second = sink("45", 2);
            sinkRefused = !second.ok();
            return second;
        });
    QVERIFY(sinkRefused);
    QVERIFY(!status.ok());
    QVERIFY2(status.error().message.contains(QStringLiteral("app/long")), qPrintable(errorText(status)));
    QVERIFY(!writer.finish().ok());
}

void TestTarWriter::producerError()
{
    QByteArray out;
    TarWriter writer([&](const char *data, qsizetype size) { return appendTo(out, data, size); }, Mtime);
    const Status status =
        writer.addFile(QStringLiteral("app/x"), false, 4, [](const TarWriter::ContentSink &) {
            return Status(Error::failed(QStringLiteral("cannot read blob abc")));
        });
    QVERIFY(!status.ok());
    QCOMPARE(status.error().message, QStringLiteral("cannot read blob abc"));
}

void TestTarWriter::sinkError()
{
    qint64 total = 0;
    TarWriter writer(
        [&](const char *, qsizetype size) -> Status {
            total += size;
            if (total > 4096)
                return Error::failed(QStringLiteral("no space left writing /store/ingest/x"));
            return success();
        },
        Mtime);
    Status status = success();
    for (int i = 0; i < 100 && status.ok(); ++i)
        status = writer.addFile(QStringLiteral("f%1").arg(i, 3, 10, QLatin1Char('0')), false,
                                QByteArray(700, 'x'));
    QVERIFY(!status.ok());
    QCOMPARE(status.error().message, QStringLiteral("no space left writing /store/ingest/x"));
    const Status finished = writer.finish();
    QVERIFY(!finished.ok());
    QCOMPARE(finished.error().message, QStringLiteral("no space left writing /store/ingest/x"));
}

void TestTarWriter::badPaths_data()
{
    QTest::addColumn<QStringList>("files"); // added in this order; "dir:" marks a directory
    QTest::addColumn<QString>("mentioned"); // the path the error must name
    QTest::newRow("absolute") << QStringList{QStringLiteral("/app/server")} << QStringLiteral("/app/server");
    QTest::newRow("dot-dot") << QStringList{QStringLiteral("app/../etc/passwd")}
                             << QStringLiteral("app/../etc/passwd");
    QTest::newRow("dot") << QStringList{QStringLiteral("./app")} << QStringLiteral("./app");
    QTest::newRow("empty component") << QStringList{QStringLiteral("app//x")} << QStringLiteral("app//x");
    QTest::newRow("empty") << QStringList{QString()} << QString();
    QTest::newRow("trailing slash on a file")
        << QStringList{QStringLiteral("app/")} << QStringLiteral("app/");
    QTest::newRow("out of order") << QStringList{QStringLiteral("b"), QStringLiteral("a")}
                                  << QStringLiteral("a");
    QTest::newRow("repeated") << QStringList{QStringLiteral("a"), QStringLiteral("a")} << QStringLiteral("a");
    QTest::newRow("directory before sibling file")
        << QStringList{QStringLiteral("dir:a/b"), QStringLiteral("a/b.txt")} << QStringLiteral("a/b.txt");
    QTest::newRow("file then directory")
        << QStringList{QStringLiteral("a/b"), QStringLiteral("dir:a/b")} << QStringLiteral("a/b");
    QTest::newRow("file then child") << QStringList{QStringLiteral("a/b"), QStringLiteral("a/b/c")}
                                     << QStringLiteral("a/b/c");
    // What no file system takes: the message names the entry, cut to a readable length.
    const QString longName = QString(256, u'n');
    QTest::newRow("component over 255 bytes")
        << QStringList{QStringLiteral("app/") + longName}
        << QString(QStringLiteral("app/") + longName).left(120) + QStringLiteral("… (260 characters)");
    QString deep;
    for (int i = 0; i < 2100; ++i)
        deep += QStringLiteral("d/");
    deep += u'f';
    QTest::newRow("path over 4095 bytes")
        << QStringList{deep} << deep.left(120) + QStringLiteral("… (4201 characters)");
}

void TestTarWriter::badPaths()
{
    QFETCH(QStringList, files);
    QFETCH(QString, mentioned);
    QByteArray out;
    TarWriter writer([&](const char *data, qsizetype size) { return appendTo(out, data, size); }, Mtime);
    Status status = success();
    for (const QString &file : files) {
        if (file.startsWith(QStringLiteral("dir:")))
            status = writer.addDirectory(file.mid(4));
        else
            status = writer.addFile(file, false, QByteArray("x"));
        if (!status.ok())
            break;
    }
    QVERIFY(!status.ok());
    QVERIFY2(status.error().message.contains(QLatin1Char('"') + mentioned + QLatin1Char('"')),
             qPrintable(errorText(status)));
}

void TestTarWriter::largeFileInPieces()
{
    // 5 MiB + 3 in uneven pieces, and straight through: no copy into 10240-byte blocks.
    const qint64 size = 5 * 1024 * 1024 + 3;
    QByteArray out;
    qsizetype largestPiece = 0;
    TarWriter writer(
        [&](const char *data, qsizetype length) {
            largestPiece = std::max(largestPiece, length);
            return appendTo(out, data, length);
        },
        Mtime);
    const Status status = writer.addFile(
        QStringLiteral("big.bin"), false, size, [&](const TarWriter::ContentSink &sink) -> Status {
            QByteArray piece = bytes(1024 * 1024 + 7, 9);
            qint64 left = size;
            while (left > 0) {
                const qsizetype n = qsizetype(std::min<qint64>(left, piece.size()));
                Status written = sink(piece.constData(), n);
                if (!written.ok())
                    return written;
                left -= n;
            }
            return success();
        });
    QVERIFY2(status.ok(), qPrintable(errorText(status)));
    QVERIFY(writer.finish().ok());
    QCOMPARE(largestPiece, 1024 * 1024 + 7);
    const QList<Entry> entries = readTar(out);
    QCOMPARE(entries.size(), 1);
    QCOMPARE(entries.at(0).contents.size(), size);
    QCOMPARE(out.size(), 512 + (size + 511) / 512 * 512 + 1024);
}

int main(int argc, char *argv[])
{
    // The child of identicalAcrossProcesses: writes the sample tar where it is told, and exits.
    if (argc == 2 && qstrcmp(argv[1], "--write-sample-tar") == 0) {
        QFile file(qEnvironmentVariable("SLIPWAY_TARWRITER_OUT"));
        return file.open(QIODevice::WriteOnly) && file.write(sampleTar()) > 0 ? 0 : 1;
    }
    QCoreApplication app(argc, argv);
    TestTarWriter test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_tarwriter.moc"
