// What a hostile or failing registry did to pushes (issue 19), reproduced through a
// fault-injecting proxy (HttpStub::forward) in front of the real docker-registry of the harness:
// an upload Location rewritten to another host or port (the credentials must not follow it) or
// to a file:// URL (nothing may be written), a 503 on the first chunk (the upload resumes at the
// offset the registry really holds), Retry-After on blob PUT and PATCH, a 307 on a blob HEAD, and
// a connection reset half-way through a chunk.

#include "httpstub.h"
#include "pushtestimage.h"
#include "registry/imagereference.h"
#include "registry/pusher.h"
#include "registry/registryclient.h"
#include "registryserver.h"

#include <QElapsedTimer>
#include <QMutex>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>

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
        settings.lowSpeedTime = 2;
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
                                   const QString &reference)
    {
        auto destination = ImageReference::parse(reference);
        if (!destination)
            return destination.error();
        PushOptions options;
        options.parallel = 1; // one request at a time: the journals read in order
        return pushImage([image](const QString &digest) { return image.blobPath(digest); },
                         image.manifestDigest, destination.value(), client, nullptr, {}, options);
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
};

QTEST_GUILESS_MAIN(TestRegistryFaults)
#include "tst_registryfaults.moc"
