// What a hostile or failing registry did to pushes (issue 19), reproduced through a
// fault-injecting proxy (HttpStub::forward) in front of the real docker-registry of the harness:
// an upload Location rewritten to another host or port (the credentials must not follow it) or
// to a file:// URL (nothing may be written), a 503 on the first chunk (the upload resumes at the
// offset the registry really holds), Retry-After on blob PUT and PATCH, a 307 on a blob HEAD, and
// a connection reset half-way through a chunk, and a push killed between two chunks (the next one
// goes on in the registry's session).

#include "httpstub.h"
#include "pushtestimage.h"
#include "registry/imagereference.h"
#include "registry/pusher.h"
#include "registry/registryclient.h"
#include "registryserver.h"

#include <QDir>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QThread>
#include <QUrl>

#include <stop_token>

#include <signal.h>

using namespace slipway;
using namespace std::chrono_literals;
using slipway::test::HttpStub;
using slipway::test::PushTestImage;
using slipway::test::RegistryServer;

namespace {

// What reached a proxy or a catcher, in order.
struct Seen
{
    QByteArray method;
    QByteArray path;
    QHash<QByteArray, QByteArray> headers;
    qsizetype bodySize = 0;
    qint64 atMs = 0;
    int status = 0; // what it was answered
};

class Journal
{
public:
    Journal() { m_clock.start(); }
    void add(const HttpStub::Request &request, int status)
    {
        const QMutexLocker lock(&m_mutex);
        m_seen.append(Seen{.method = request.method,
                           .path = request.target.left(request.target.indexOf('?')),
                           .headers = request.headers,
                           .bodySize = request.body.size(),
                           .atMs = m_clock.elapsed(),
                           .status = status});
    }
    QList<Seen> seen() const
    {
        const QMutexLocker lock(&m_mutex);
        return m_seen;
    }
    int count(const QByteArray &method) const
    {
        int n = 0;
        for (const Seen &seen : seen())
            n += seen.method == method;
        return n;
    }

private:
    mutable QMutex m_mutex;
    QList<Seen> m_seen;
    QElapsedTimer m_clock;
};

HttpStub::Response answer(int status, QList<QByteArray> headers = {}, QByteArray body = {})
{
    HttpStub::Response response;
    response.status = status;
    response.headers = std::move(headers);
    response.headers.append("Docker-Distribution-Api-Version: registry/2.0");
    response.body = std::move(body);
    return response;
}

// No answer: the connection closes.
HttpStub::Response hungUp()
{
    HttpStub::Response response;
    response.hangUp = true;
    return response;
}

bool isUploadPatch(const HttpStub::Request &request)
{
    return request.method == "PATCH" && request.target.contains("/blobs/uploads/");
}

bool isUploadPut(const HttpStub::Request &request)
{
    return request.method == "PUT" && request.target.contains("/blobs/uploads/");
}

bool isOneLine(const QString &message)
{
    return !message.isEmpty() && !message.contains(u'\n');
}

// `slipway-cli --json push` of an OCI layout, which a fault proxy may SIGKILL through pid.
struct KillablePush
{
    std::atomic<qint64> pid = 0;
    bool crashed = false;
    int exitCode = -1;
    QJsonObject json;
    QString err;

    void run(const QString &dataDir, const QString &layout, const QString &reference)
    {
        QProcess process;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        // No login from the user's own files.
        env.insert(QStringLiteral("DOCKER_CONFIG"), dataDir + QStringLiteral("/docker"));
        env.insert(QStringLiteral("REGISTRY_AUTH_FILE"), dataDir + QStringLiteral("/none.json"));
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(SLIPWAY_CLI),
                      {QStringLiteral("--data-dir"), dataDir, QStringLiteral("--json"),
                       QStringLiteral("push"), QStringLiteral("--oci-layout"),
                       layout + QStringLiteral(":latest"), reference});
        if (process.waitForStarted())
            pid = process.processId();
        process.waitForFinished(300000);
        crashed = process.exitStatus() != QProcess::NormalExit;
        exitCode = crashed ? -1 : process.exitCode();
        json = QJsonDocument::fromJson(process.readAllStandardOutput()).object();
        err = QString::fromUtf8(process.readAllStandardError());
        pid = 0;
    }
    void kill()
    {
        while (pid.load() == 0) // the proxy saw the push before run() saw it start
            QThread::yieldCurrentThread();
        ::kill(pid_t(pid.load()), SIGKILL);
    }
    QJsonObject blob(const QString &digest) const
    {
        for (const QJsonValue &value : json.value(QStringLiteral("blobs")).toArray())
            if (value[QStringLiteral("digest")].toString() == digest)
                return value.toObject();
        return {};
    }
};

int journalEntries(const QString &dataDir)
{
    return int(QDir(dataDir + QStringLiteral("/cache/uploads")).entryList({QStringLiteral("*.json")}).size());
}

} // namespace

class TestRegistryFaults final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    RegistryServer m_registry;
    int m_images = 0;

    // An image of its own for each push: layers of `sizes` bytes.
    PushTestImage image(const QList<qint64> &sizes)
    {
        ++m_images;
        return test::makePushTestImage(m_dir.filePath(QStringLiteral("image%1").arg(m_images)), sizes,
                                       quint32(100 + m_images));
    }

    static RegistryClient::Settings quickSettings()
    {
        RegistryClient::Settings settings;
        settings.retryDelays = {10ms, 20ms, 40ms};
        // No test here stalls: long enough that a slow machine's late answer is not taken for a
        // stall and retried, which the tests that count requests would see.
        settings.lowSpeedTime = 10;
        return settings;
    }

    // Blobs over 256 KiB go in 128 KiB chunks.
    static RegistryClient::Settings chunkedSettings()
    {
        RegistryClient::Settings settings = quickSettings();
        settings.chunkedThreshold = 256 * 1024;
        settings.chunkSize = 128 * 1024;
        return settings;
    }

    static Result<PushResult> push(const PushTestImage &image, RegistryClient &client,
                                   const QString &reference, std::stop_token stop = {})
    {
        auto destination = ImageReference::parse(reference);
        if (!destination)
            return destination.error();
        PushOptions options;
        options.parallel = 1; // one request at a time: the journals read in order
        return pushImage([image](const QString &digest) { return image.blobPath(digest); },
                         image.manifestDigest, destination.value(), client, nullptr, std::move(stop),
                         options);
    }

    static Credential login()
    {
        Credential credential;
        credential.username = QStringLiteral("slipway");
        credential.secret = QStringLiteral("proxy-pass-Xu81");
        return credential;
    }

    // The registry as a Basic-auth registry: the proxy asks for the login, checks it, and
    // forwards what carries it (without it) to the real registry behind.
    HttpStub::Response withBasicAuth(const HttpStub::Request &request) const
    {
        const QByteArray expected = "Basic " + (login().username + u':' + login().secret).toUtf8().toBase64();
        if (request.headers.value("authorization") != expected)
            return answer(401, {"WWW-Authenticate: Basic realm=\"registry\""});
        HttpStub::Request forwarded = request;
        forwarded.headers.remove("authorization");
        return HttpStub::forward(m_registry.port(), forwarded);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY2(m_registry.start(), qPrintable(m_registry.errorString()));
    }

    void credentialsGoOnlyToTheRegistry_data()
    {
        QTest::addColumn<QString>("host");
        QTest::newRow("another port") << QStringLiteral("127.0.0.1");
        QTest::newRow("another host") << QStringLiteral("localhost");
    }

    // A registry whose upload Location points elsewhere: what goes there carries no login. The
    // catcher forwards to the registry too (it has no auth of its own), so the push completes.
    void credentialsGoOnlyToTheRegistry()
    {
        QFETCH(QString, host);
        Journal caught;
        HttpStub catcher([&](const HttpStub::Request &request) {
            HttpStub::Response response = HttpStub::forward(m_registry.port(), request);
            caught.add(request, response.status);
            return response;
        });
        Journal proxied;
        HttpStub proxy([&](const HttpStub::Request &request) {
            HttpStub::Response response = withBasicAuth(request);
            if (request.method == "POST" && response.status == 202) {
                QUrl location(QString::fromLatin1(HttpStub::header(response, "location")));
                location.setHost(host);
                location.setPort(catcher.port());
                HttpStub::setHeader(response, "Location", location.toString(QUrl::FullyEncoded).toLatin1());
            }
            proxied.add(request, response.status);
            return response;
        });
        const PushTestImage pushed = image({300 * 1024});
        RegistryClient client(proxy.address(), login());
        client.setSettings(quickSettings());
        auto result = push(pushed, client, proxy.address() + QStringLiteral("/leak/app:v1"));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));

        const QList<Seen> seen = caught.seen();
        qDebug() << seen.size() << "requests reached the catcher," << proxied.seen().size() << "the registry";
        QVERIFY(seen.size() >= 2); // config and layer uploads
        int withCredentials = 0;
        for (const Seen &request : seen)
            withCredentials += request.headers.contains("authorization");
        qDebug() << withCredentials << "of them carried an Authorization header";
        QCOMPARE(withCredentials, 0);
    }

    void nonHttpLocationIsRefused_data()
    {
        QTest::addColumn<QString>("scheme");
        QTest::newRow("file") << QStringLiteral("file");
        QTest::newRow("ftp") << QStringLiteral("ftp");
        QTest::newRow("gopher") << QStringLiteral("gopher");
    }

    // An upload Location of file:///.../victim.txt once overwrote that file with the blob.
    void nonHttpLocationIsRefused()
    {
        QFETCH(QString, scheme);
        const QString victim = m_dir.filePath(QStringLiteral("victim-%1.txt").arg(scheme));
        {
            QFile file(victim);
            QVERIFY(file.open(QIODevice::WriteOnly));
            file.write("precious\n");
        }
        const QString location = scheme == u"file" ? QStringLiteral("file://") + victim
                                                   : scheme + QStringLiteral("://127.0.0.1:1/upload");
        HttpStub proxy([&](const HttpStub::Request &request) {
            HttpStub::Response response = HttpStub::forward(m_registry.port(), request);
            if (request.method == "POST" && response.status == 202)
                HttpStub::setHeader(response, "Location", location.toUtf8());
            return response;
        });
        const PushTestImage pushed = image({64 * 1024});
        RegistryClient client(proxy.address());
        client.setSettings(quickSettings());
        auto result = push(pushed, client, proxy.address() + QStringLiteral("/scheme/app:v1"));
        QVERIFY(!result);
        const QString message = result.error().message;
        qDebug().noquote() << message;
        QVERIFY2(isOneLine(message), qPrintable(message));
        QVERIFY2(message.contains(proxy.address()), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("is not an http or https URL")), qPrintable(message));
        QFile file(victim);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll(), QByteArray("precious\n"));
    }

    // distribution answers "Range: 0-0" for an empty session; resuming at 1 broke every large
    // push whose first chunk was refused (DIGEST_INVALID at the end).
    void refusedFirstChunkResumesAtTheStart()
    {
        Journal proxied;
        std::atomic<int> patches = 0;
        HttpStub proxy([&](const HttpStub::Request &request) {
            HttpStub::Response response = isUploadPatch(request) && ++patches == 1
                                              ? answer(503, {}, "{\"errors\":[{\"code\":\"UNAVAILABLE\"}]}")
                                              : HttpStub::forward(m_registry.port(), request);
            proxied.add(request, response.status);
            return response;
        });
        const PushTestImage pushed = image({700 * 1024});
        RegistryClient client(proxy.address());
        client.setSettings(chunkedSettings());
        auto result = push(pushed, client, proxy.address() + QStringLiteral("/chunks/app:v1"));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        // 6 chunks of the layer, and the refused one again.
        QCOMPARE(proxied.count("PATCH"), 7);
        qDebug() << "requests failed:" << 1 << "; PATCHes:" << proxied.count("PATCH");
    }

    void retryAfterIsHonouredOnBlobPutAndPatch_data()
    {
        QTest::addColumn<bool>("chunked");
        QTest::newRow("PUT") << false;
        QTest::newRow("PATCH") << true;
    }

    // A 503 with Retry-After: 1 on the upload itself: the next try waits that second, not the
    // client's own 10 ms.
    void retryAfterIsHonouredOnBlobPutAndPatch()
    {
        QFETCH(bool, chunked);
        Journal proxied;
        std::atomic<int> refused = 0;
        HttpStub proxy([&](const HttpStub::Request &request) {
            const bool target =
                chunked ? isUploadPatch(request) : isUploadPut(request) && !request.body.isEmpty();
            HttpStub::Response response =
                target && ++refused == 1
                    ? answer(503, {"Retry-After: 1"}, "{\"errors\":[{\"code\":\"TOOMANY\"}]}")
                    : HttpStub::forward(m_registry.port(), request);
            proxied.add(request, response.status);
            return response;
        });
        const PushTestImage pushed = image({chunked ? 400 * 1024 : 100 * 1024});
        RegistryClient client(proxy.address());
        client.setSettings(chunkedSettings());
        auto result =
            push(pushed, client, proxy.address() + QStringLiteral("/later/app:v%1").arg(int(chunked)));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        const QList<Seen> seen = proxied.seen();
        qsizetype failed = -1;
        for (qsizetype i = 0; i < seen.size(); ++i)
            if (seen.at(i).status == 503)
                failed = i;
        QVERIFY(failed >= 0 && failed + 1 < seen.size());
        const qint64 waited = seen.at(failed + 1).atMs - seen.at(failed).atMs;
        qDebug() << "after Retry-After: 1 the next request came" << waited << "ms later";
        QVERIFY2(waited >= 900, qPrintable(QString::number(waited)));
    }

    // A registry that redirects blob HEADs to its storage: followed (without credentials), and
    // what exists is skipped.
    void redirectedBlobHeadIsFollowed()
    {
        const PushTestImage pushed = image({50 * 1024, 20 * 1024});
        {
            RegistryClient direct(m_registry.address());
            auto first = push(pushed, direct, m_registry.address() + QStringLiteral("/moved/app:v1"));
            QVERIFY2(first, qPrintable(first ? QString() : first.error().message));
        }
        Journal proxied;
        HttpStub proxy([&](const HttpStub::Request &request) {
            HttpStub::Response response =
                request.method == "HEAD" && request.target.contains("/blobs/")
                    ? answer(307, {"Location: " + m_registry.url().toLatin1() + request.target})
                    : HttpStub::forward(m_registry.port(), request);
            proxied.add(request, response.status);
            return response;
        });
        RegistryClient client(proxy.address());
        client.setSettings(quickSettings());
        auto again = push(pushed, client, proxy.address() + QStringLiteral("/moved/app:v2"));
        QVERIFY2(again, qPrintable(again ? QString() : again.error().message));
        for (const PushedBlob &blob : std::as_const(again->blobs))
            QCOMPARE(blob.action, QStringLiteral("skipped"));
        int redirected = 0;
        for (const Seen &seen : proxied.seen())
            redirected += seen.status == 307;
        QCOMPARE(redirected, 3); // config and two layers
    }

    // The connection drops half-way through the second chunk. distribution keeps the half it got,
    // and then refuses the session (what it stored no longer matches the offset signed into the
    // upload URL), so the push asks, learns the session is gone, and starts that blob over in a
    // new one; a registry that kept nothing would be resumed at the chunk. Either way the push
    // completes and re-sends no more than that.
    void resetMidChunkStillCompletesThePush()
    {
        Journal proxied;
        std::atomic<int> patches = 0;
        std::atomic<qint64> forwardedBytes = 0;
        HttpStub proxy([&](const HttpStub::Request &request) {
            const bool cut = isUploadPatch(request) && ++patches == 2;
            HttpStub::Response response =
                HttpStub::forward(m_registry.port(), request, cut ? request.body.size() / 2 : -1);
            if (isUploadPatch(request))
                forwardedBytes += cut ? request.body.size() / 2 : request.body.size();
            proxied.add(request, response.hangUp ? 0 : response.status);
            return response;
        });
        const qint64 size = 600 * 1024;
        const PushTestImage pushed = image({size});
        RegistryClient client(proxy.address());
        client.setSettings(chunkedSettings());
        auto result = push(pushed, client, proxy.address() + QStringLiteral("/reset/app:v1"));
        QVERIFY2(result, qPrintable(result ? QString() : result.error().message));
        const qint64 resent = forwardedBytes.load() - size;
        const int sessions = proxied.count("POST") - 1; // the config's is the other
        qDebug() << "bytes sent in PATCHes:" << forwardedBytes.load() << "for a blob of" << size
                 << "; re-sent:" << resent << "; upload sessions:" << sessions;
        const qint64 chunk = 128 * 1024;
        if (sessions == 1)
            QCOMPARE(resent, chunk / 2); // resumed: only the cut half again
        else
            QCOMPARE(resent, chunk / 2 + chunk); // started over: the first chunk and the cut half
        QVERIFY(sessions <= 2);
    }

    // A push killed (SIGKILL) while the last chunk of a large blob was on its way: the next push
    // from the same data dir goes on in the session the registry kept, and sends only that
    // chunk. The proxy buffers each request, as nginx does by default in front of a registry, so
    // the killed chunk never reaches it. Beside it, in the same run, the same kill with the
    // journal removed: what a push did before (issue 19: 180 MB re-sent of 200 MB).
    void killedPushResumesInTheNextRun()
    {
        const qint64 chunk = qint64(16) << 20; // the CLI's own chunking: over 32 MiB, 16 MiB chunks
        const qint64 size = 8 * chunk;
        qint64 resent[2] = {0, 0};
        for (const bool withJournal : {true, false}) {
            const PushTestImage pushed = image({size, 30000});
            const QString largeDigest = pushed.layerDigests.constFirst();
            const QString dataDir = m_dir.filePath(QStringLiteral("data-resume-%1").arg(int(withJournal)));
            KillablePush first;
            std::atomic<bool> killing = true;
            std::atomic<int> patches = 0;
            std::atomic<qint64> patchBytes = 0;
            Journal proxied;
            HttpStub proxy([&](const HttpStub::Request &request) {
                if (isUploadPatch(request) && killing && ++patches == 8) {
                    first.kill();
                    return hungUp();
                }
                HttpStub::Response response = HttpStub::forward(m_registry.port(), request);
                if (isUploadPatch(request))
                    patchBytes += request.body.size();
                proxied.add(request, response.status);
                return response;
            });
            const QString reference =
                proxy.address() + QStringLiteral("/resume/app%1:v1").arg(int(withJournal));
            first.run(dataDir, pushed.directory, reference);
            QVERIFY2(first.crashed, qPrintable(first.err));
            QCOMPARE(patchBytes.load(), 7 * chunk); // 7 of the 8 chunks arrived
            QCOMPARE(journalEntries(dataDir), 1);
            if (!withJournal)
                QVERIFY(QDir(dataDir + QStringLiteral("/cache/uploads")).removeRecursively());

            killing = false;
            patchBytes = 0;
            const qsizetype before = proxied.seen().size();
            KillablePush second;
            second.run(dataDir, pushed.directory, reference);
            QVERIFY2(second.exitCode == 0, qPrintable(second.err));
            const QJsonObject large = second.blob(largeDigest);
            QCOMPARE(large.value(QStringLiteral("action")).toString(), QStringLiteral("uploaded"));
            resent[withJournal ? 0 : 1] = patchBytes.load();
            QCOMPARE(journalEntries(dataDir), 0);
            RegistryClient check(m_registry.address());
            QCOMPARE(
                check.blobExists(QStringLiteral("resume/app%1").arg(int(withJournal)), largeDigest).value(),
                true);
            if (withJournal) {
                QCOMPARE(large.value(QStringLiteral("resumedAt")).toInteger(), 7 * chunk);
                QCOMPARE(patchBytes.load(), chunk);
                // The session was asked where it was, and no new one was opened for the blob.
                const QList<Seen> seen = proxied.seen().mid(before);
                int statusQueries = 0;
                int sessions = 0;
                for (const Seen &request : seen) {
                    statusQueries += request.method == "GET" && request.path.contains("/blobs/uploads/");
                    sessions += request.method == "POST";
                }
                QCOMPARE(statusQueries, 1);
                QCOMPARE(sessions, 0); // the other blobs were done in the first run
            } else {
                QVERIFY(!large.contains(QStringLiteral("resumedAt")));
                QCOMPARE(patchBytes.load(), size);
            }
        }
        qDebug() << "killed with 7 of 8 chunks at the registry; bytes re-sent by the next push:" << resent[0]
                 << "of" << size << "; without the journal (as before):" << resent[1] << "; ratio"
                 << double(resent[0]) / double(resent[1]);
    }

    // Cancel (the window's button, Ctrl+C) during a chunk: the chunks the registry accepted stay
    // in the journal, and the next push, on a new client, sends only the rest.
    void cancelledPushResumesInTheNextPush()
    {
        const QString journalDir = m_dir.filePath(QStringLiteral("journal-cancel"));
        RegistryClient::Settings settings = chunkedSettings();
        settings.uploadJournal = journalDir;
        const qint64 chunk = settings.chunkSize;
        const qint64 size = 5 * chunk;
        std::stop_source cancel;
        std::atomic<int> patches = 0;
        std::atomic<qint64> patchBytes = 0;
        HttpStub proxy([&](const HttpStub::Request &request) {
            if (isUploadPatch(request) && !cancel.stop_requested() && ++patches == 3) {
                cancel.request_stop(); // the chunk is never forwarded
                return hungUp();
            }
            if (isUploadPatch(request))
                patchBytes += request.body.size();
            return HttpStub::forward(m_registry.port(), request);
        });
        const PushTestImage pushed = image({size});
        const QString reference = proxy.address() + QStringLiteral("/cancel/app:v1");
        {
            RegistryClient client(proxy.address());
            client.setSettings(settings);
            auto cancelled = push(pushed, client, reference, cancel.get_token());
            QVERIFY(!cancelled);
            QCOMPARE(cancelled.error().kind, Error::Kind::Cancelled);
        }
        QCOMPARE(patchBytes.load(), 2 * chunk);
        patchBytes = 0;
        RegistryClient again(proxy.address());
        again.setSettings(settings);
        auto resumed = push(pushed, again, reference);
        QVERIFY2(resumed, qPrintable(resumed ? QString() : resumed.error().message));
        const PushedBlob &large = resumed->blobs.at(1); // after the config
        QCOMPARE(large.digest, pushed.layerDigests.constFirst());
        QCOMPARE(large.resumedAt, 2 * chunk);
        QCOMPARE(patchBytes.load(), 3 * chunk);
        QVERIFY(QDir(journalDir).entryList(QDir::Files).isEmpty());
    }

    // The chunk reached the registry, but the push was killed before it heard so: the session
    // the journal names is one chunk behind the registry's. distribution 2.8 then refuses the
    // session (it signs the offset into the upload URL), so the next push starts that blob over,
    // and completes; a registry that answers with its own offset would be resumed there instead.
    void killedPushWhoseSessionIsGoneStartsOver()
    {
        const qint64 chunk = qint64(16) << 20;
        const qint64 size = 3 * chunk;
        const PushTestImage pushed = image({size});
        const QString largeDigest = pushed.layerDigests.constFirst();
        const QString dataDir = m_dir.filePath(QStringLiteral("data-gone"));
        KillablePush first;
        std::atomic<bool> killing = true;
        std::atomic<int> patches = 0;
        std::atomic<qint64> patchBytes = 0;
        HttpStub proxy([&](const HttpStub::Request &request) {
            HttpStub::Response response = HttpStub::forward(m_registry.port(), request);
            if (isUploadPatch(request)) {
                patchBytes += request.body.size();
                if (killing && ++patches == 2) {
                    first.kill();
                    return hungUp();
                }
            }
            return response;
        });
        const QString reference = proxy.address() + QStringLiteral("/gone/app:v1");
        first.run(dataDir, pushed.directory, reference);
        QVERIFY2(first.crashed, qPrintable(first.err));
        QCOMPARE(patchBytes.load(), 2 * chunk);
        QCOMPARE(journalEntries(dataDir), 1);

        killing = false;
        patchBytes = 0;
        KillablePush second;
        second.run(dataDir, pushed.directory, reference);
        QVERIFY2(second.exitCode == 0, qPrintable(second.err));
        const QJsonObject large = second.blob(largeDigest);
        QCOMPARE(large.value(QStringLiteral("action")).toString(), QStringLiteral("uploaded"));
        qDebug() << "session one chunk behind the registry: re-sent" << patchBytes.load() << "of" << size
                 << "; resumed at" << large.value(QStringLiteral("resumedAt")).toInteger();
        // Started over (distribution 2.8), or resumed at the registry's offset: never more.
        if (large.contains(QStringLiteral("resumedAt")))
            QCOMPARE(patchBytes.load(), size - large.value(QStringLiteral("resumedAt")).toInteger());
        else
            QCOMPARE(patchBytes.load(), size);
        QCOMPARE(journalEntries(dataDir), 0);
    }
};

QTEST_GUILESS_MAIN(TestRegistryFaults)
#include "tst_registryfaults.moc"
