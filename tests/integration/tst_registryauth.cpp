// Token auth against the real docker-registry through a token server of the test's own, and the
// answers a real registry will not give on demand (HTML, garbage, 500s, a wrong digest, a stall)
// from a stub: each must end in one line naming the registry and repository, with no secret in
// any message or log line.

#include "clirun.h"
#include "eventrecorder.h"
#include "events/event.h"
#include "httpstub.h"
#include "logcapture.h"
#include "processes.h"
#include "pushtestimage.h"
#include "registry/imagereference.h"
#include "registry/pusher.h"
#include "registry/registryclient.h"
#include "registryserver.h"
#include "testfiles.h"
#include "tokenserver.h"
#include "util/sha256.h"

#include <QDateTime>
#include <QDir>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMutex>
#include <QTemporaryDir>
#include <QTest>
#include <QUrl>
#include <QUrlQuery>

#include <memory>
#include <thread>

using namespace slipway;
using slipway::test::dockerConfigJson;
using namespace std::chrono_literals;
using slipway::test::CliRun;
using slipway::test::EventRecorder;
using slipway::test::HttpStub;
using slipway::test::LogCapture;
using slipway::test::PushTestImage;
using slipway::test::RegistryServer;
using slipway::test::runCli;
using slipway::test::TokenServer;

namespace {

HttpStub::Response answer(int status, QByteArray body = {}, QList<QByteArray> headers = {})
{
    HttpStub::Response response;
    response.status = status;
    response.body = std::move(body);
    response.headers = std::move(headers);
    return response;
}

// A stub that has every blob and takes manifests as a registry would, except what the test
// overrides.
HttpStub::Response registryLike(const HttpStub::Request &request)
{
    if (request.target == "/v2/" || request.method == "HEAD")
        return answer(200, {}, {"Docker-Distribution-Api-Version: registry/2.0"});
    if (request.method == "PUT" && request.target.contains("/manifests/"))
        return answer(201, {}, {"Docker-Content-Digest: " + Sha256::digestOf(request.body).toLatin1()});
    return answer(404);
}

bool isOneLine(const QString &message)
{
    return !message.isEmpty() && !message.contains(u'\n');
}

} // namespace

class TestRegistryAuth final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    PushTestImage m_image;
    std::unique_ptr<TokenServer> m_tokens;
    std::unique_ptr<RegistryServer> m_registry;

    Result<PushResult> push(RegistryClient &client, const QString &reference, EventSink *events = nullptr)
    {
        auto destination = ImageReference::parse(reference);
        if (!destination)
            return destination.error();
        const PushTestImage image = m_image;
        return pushImage([image](const QString &digest) { return image.blobPath(digest); },
                         m_image.manifestDigest, destination.value(), client, events, {});
    }

    Credential credential(const QString &password) const
    {
        Credential result;
        result.username = QStringLiteral("slipway");
        result.secret = password;
        return result;
    }

    static RegistryClient::Settings quickSettings()
    {
        RegistryClient::Settings settings;
        settings.retryDelays = {10ms, 20ms, 40ms};
        // Long enough that a slow machine's late answer is not taken for a stall (and retried,
        // which the tests that count requests would see); stalledServerEndsInAClearError sets 1.
        settings.lowSpeedTime = 10;
        return settings;
    }

    QString password() const { return QStringLiteral("token-pass-7Hq2"); }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_image = test::makePushTestImage(m_dir.filePath(QStringLiteral("image")), {40000, 120000, 8000}, 7);
        QVERIFY(!m_image.manifestDigest.isEmpty());
        QDir().mkpath(m_dir.filePath(QStringLiteral("token")));
        m_tokens = std::make_unique<TokenServer>(m_dir.filePath(QStringLiteral("token")),
                                                 QStringLiteral("slipway"), password());
        QVERIFY2(m_tokens->start(), qPrintable(m_tokens->errorString()));
        m_registry = std::make_unique<RegistryServer>(RegistryServer::Mode::PlainHttpWithTokenAuth);
        m_registry->setTokenAuth(m_tokens->realm(), m_tokens->service(), m_tokens->issuer(),
                                 m_tokens->certificatePath());
        QVERIFY2(m_registry->start(), qPrintable(m_registry->errorString()));
    }

    void tokenAuthPushesAndReusesTheToken()
    {
        const int before = m_tokens->tokenRequests();
        RegistryClient client(m_registry->address(), credential(password()));
        auto pushed = push(client, m_registry->address() + QStringLiteral("/team/app:v1"));
        QVERIFY2(pushed.ok(), pushed.ok() ? "" : qPrintable(pushed.error().message));
        QCOMPARE(pushed->digest, m_image.manifestDigest);
        for (const PushedBlob &blob : std::as_const(pushed->blobs))
            QCOMPARE(blob.action, QStringLiteral("uploaded"));
        // One token for the scope, shared by the parallel uploads and the manifest.
        QCOMPARE(m_tokens->tokenRequests() - before, 1);

        // The same client pushes again on its cached token.
        auto again = push(client, m_registry->address() + QStringLiteral("/team/app:v2"));
        QVERIFY2(again.ok(), again.ok() ? "" : qPrintable(again.error().message));
        for (const PushedBlob &blob : std::as_const(again->blobs))
            QCOMPARE(blob.action, QStringLiteral("skipped"));
        QCOMPARE(m_tokens->tokenRequests() - before, 1);
    }

    void expiredTokenIsRenewedAfter401()
    {
        const int before = m_tokens->tokenRequests();
        m_tokens->issueExpiredTokens(1);
        RegistryClient client(m_registry->address(), credential(password()));
        auto pushed = push(client, m_registry->address() + QStringLiteral("/team/renewed:v1"));
        QVERIFY2(pushed.ok(), pushed.ok() ? "" : qPrintable(pushed.error().message));
        // The expired one, refused by the registry, then a fresh one.
        QCOMPARE(m_tokens->tokenRequests() - before, 2);
    }

    void wrongPasswordIsOneLineNamingTheRegistry()
    {
        RegistryClient client(m_registry->address(), credential(QStringLiteral("not-the-password")));
        auto pushed = push(client, m_registry->address() + QStringLiteral("/team/app:v3"));
        QVERIFY(!pushed.ok());
        const QString message = pushed.error().message;
        QVERIFY2(isOneLine(message), qPrintable(message));
        QVERIFY2(message.contains(m_registry->address()), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("team/app")), qPrintable(message));
        QVERIFY2(!message.contains(QStringLiteral("not-the-password")), qPrintable(message));
    }

    void deniedRepositoryIsOneLineNamingIt()
    {
        m_tokens->denyRepository(QStringLiteral("locked/app"));
        RegistryClient client(m_registry->address(), credential(password()));
        auto pushed = push(client, m_registry->address() + QStringLiteral("/locked/app:v1"));
        QVERIFY(!pushed.ok());
        const QString message = pushed.error().message;
        QVERIFY2(isOneLine(message), qPrintable(message));
        QVERIFY2(message.contains(m_registry->address()), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("locked/app")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("401")), qPrintable(message));
    }

    void noSecretInMessagesOrLogs()
    {
        QStringList everything;
        {
            const LogCapture capture(QStringLiteral("slipway.*=true"), LogCapture::Mode::Swallow);
            EventRecorder events;
            m_tokens->issueExpiredTokens(1);
            RegistryClient good(m_registry->address(), credential(password()));
            auto pushed = push(good, m_registry->address() + QStringLiteral("/team/logged:v1"), &events);
            QVERIFY2(pushed.ok(), pushed.ok() ? "" : qPrintable(pushed.error().message));
            RegistryClient bad(m_registry->address(), credential(QStringLiteral("wrong-secret-9")));
            auto refused = push(bad, m_registry->address() + QStringLiteral("/team/logged:v2"), &events);
            QVERIFY(!refused.ok());
            everything = capture.lines() + events.logLines() + QStringList{refused.error().message};
        }
        // Debug logging was on: the requests were logged, and nothing secret with them.
        QVERIFY(everything.filter(QStringLiteral("/v2/team/logged")).size() > 0);
        QStringList secrets{
            password(), QStringLiteral("wrong-secret-9"), QStringLiteral("Bearer "), QStringLiteral("Basic "),
            QString::fromLatin1(QStringLiteral("slipway:%1").arg(password()).toUtf8().toBase64())};
        const QStringList tokens = m_tokens->issuedTokens();
        QVERIFY(!tokens.isEmpty());
        for (const QString &token : tokens)
            secrets.append(token.section(u'.', 2)); // the signature part is unique to each token
        for (const QString &line : std::as_const(everything))
            for (const QString &secret : std::as_const(secrets))
                QVERIFY2(!line.contains(secret),
                         qPrintable(QStringLiteral("a secret in: ") + line.left(200)));
    }

    void cliWithWrongPasswordFailsInOneLine()
    {
        const QString config = m_dir.filePath(QStringLiteral("docker-wrong"));
        QDir().mkpath(config);
        QFile file(config + QStringLiteral("/config.json"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(dockerConfigJson(m_registry->address(), QStringLiteral("slipway"),
                                    QStringLiteral("cli-wrong-77")));
        file.close();
        const CliRun run = runCli(
            {QStringLiteral("push"), QStringLiteral("--oci-layout"),
             m_image.directory + QStringLiteral(":latest"),
             m_registry->address() + QStringLiteral("/team/cli:v1")},
            {QStringLiteral("DOCKER_CONFIG=") + config, QStringLiteral("QT_LOGGING_RULES=slipway.*=true")});
        QCOMPARE_NE(run.exitCode, 0);
        QVERIFY2(run.err.contains(m_registry->address() + QStringLiteral(", repository team/cli")),
                 qPrintable(run.err));
        QVERIFY2(!run.err.contains(QStringLiteral("cli-wrong-77")), qPrintable(run.err));
        QVERIFY2(!run.err.contains(QStringLiteral("Basic ")), qPrintable(run.err));
        // The error is the last line; debug lines before it are allowed.
        const QStringList lines = run.err.trimmed().split(u'\n');
        QVERIFY2(lines.constLast().startsWith(QStringLiteral("slipway-cli push: ")), qPrintable(run.err));
    }

    void cliWithTokenAuthPushesAsJson()
    {
        const QString config = m_dir.filePath(QStringLiteral("docker-good"));
        QDir().mkpath(config);
        QFile file(config + QStringLiteral("/config.json"));
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(dockerConfigJson(m_registry->address(), QStringLiteral("slipway"), password()));
        file.close();
        const QString reference = m_registry->address() + QStringLiteral("/team/cli:v2");
        const CliRun run =
            runCli({QStringLiteral("push"), QStringLiteral("--json"), QStringLiteral("--oci-layout"),
                    m_image.directory + QStringLiteral(":latest"), reference},
                   {QStringLiteral("DOCKER_CONFIG=") + config});
        QVERIFY2(run.exitCode == 0, qPrintable(run.err));
        const QJsonObject json = QJsonDocument::fromJson(run.out).object();
        QCOMPARE(json.keys(),
                 (QStringList{QStringLiteral("blobs"), QStringLiteral("digest"), QStringLiteral("pushed")}));
        QCOMPARE(json.value(QStringLiteral("pushed")).toString(), reference);
        QCOMPARE(json.value(QStringLiteral("digest")).toString(), m_image.manifestDigest);
        const QJsonArray blobs = json.value(QStringLiteral("blobs")).toArray();
        QCOMPARE(blobs.size(), m_image.blobDigests().size());
        for (const QJsonValue &value : blobs) {
            const QJsonObject blob = value.toObject();
            QCOMPARE(blob.keys(), (QStringList{QStringLiteral("action"), QStringLiteral("digest"),
                                               QStringLiteral("size")}));
            QVERIFY(m_image.blobDigests().contains(blob.value(QStringLiteral("digest")).toString()));
            // pushed before under team/app: the same repository namespace does not share blobs,
            // so these are uploads (or skips when this case runs again).
            QVERIFY(blob.value(QStringLiteral("action")).toString() == u"uploaded" ||
                    blob.value(QStringLiteral("action")).toString() == u"skipped");
        }
    }

    void htmlAnswersAreOneLine()
    {
        HttpStub stub([](const HttpStub::Request &) {
            return answer(404, "<html><body><h1>Not Found</h1>\n<p>nginx</p></body></html>",
                          {"Content-Type: text/html"});
        });
        RegistryClient client(stub.address());
        client.setSettings(quickSettings());
        auto pushed = push(client, stub.address() + QStringLiteral("/web/site:v1"));
        QVERIFY(!pushed.ok());
        const QString message = pushed.error().message;
        QVERIFY2(isOneLine(message), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("registry %1, repository web/site").arg(stub.address())),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("not a registry error document")), qPrintable(message));
    }

    void garbageManifestAnswerIsOneLine()
    {
        HttpStub stub([](const HttpStub::Request &request) {
            if (request.method == "PUT")
                return answer(200, QByteArray("\x01\x02garbage\nmore\xff", 16));
            return registryLike(request);
        });
        RegistryClient client(stub.address());
        client.setSettings(quickSettings());
        auto pushed = push(client, stub.address() + QStringLiteral("/junk/app:v1"));
        QVERIFY(!pushed.ok());
        const QString message = pushed.error().message;
        QVERIFY2(isOneLine(message), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("registry %1, repository junk/app").arg(stub.address())),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("putting manifest v1")), qPrintable(message));
    }

    void manifestDigestMismatchIsAnError()
    {
        HttpStub stub([](const HttpStub::Request &request) {
            if (request.method == "PUT")
                return answer(201, {}, {"Docker-Content-Digest: sha256:" + QByteArray(64, '0')});
            return registryLike(request);
        });
        RegistryClient client(stub.address());
        auto pushed = push(client, stub.address() + QStringLiteral("/odd/app:v1"));
        QVERIFY(!pushed.ok());
        const QString message = pushed.error().message;
        QVERIFY2(isOneLine(message), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("repository odd/app")), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("reports digest sha256:000")), qPrintable(message));
    }

    void serverErrorsAreRetriedThenReported()
    {
        HttpStub stub([](const HttpStub::Request &) {
            return answer(500, "{\"errors\":[{\"code\":\"UNKNOWN\",\"message\":\"storage is on fire\"}]}");
        });
        RegistryClient client(stub.address());
        client.setSettings(quickSettings());
        auto pushed = push(client, stub.address() + QStringLiteral("/hot/app:v1"));
        QVERIFY(!pushed.ok());
        const QString message = pushed.error().message;
        QVERIFY2(isOneLine(message), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("registry %1, repository hot/app").arg(stub.address())),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("HTTP 500")), qPrintable(message));
        // The blob's HEAD was tried 4 times (1 + 3 retries); a HEAD that keeps failing with a
        // server error leads to an upload (what heals a blob the registry cannot read), whose
        // POST was tried 4 times too, and then the push stopped.
        QCOMPARE(stub.requestCount(), 8);
    }

    void retryAfterIsHonouredAndThePushGoesOn()
    {
        std::atomic<int> busy = 2;
        HttpStub stub([&busy](const HttpStub::Request &request) {
            if (request.method == "HEAD" && busy-- > 0)
                return answer(429, {}, {"Retry-After: 0"});
            return registryLike(request);
        });
        RegistryClient client(stub.address());
        auto pushed = push(client, stub.address() + QStringLiteral("/busy/app:v1"));
        QVERIFY2(pushed.ok(), pushed.ok() ? "" : qPrintable(pushed.error().message));
        for (const PushedBlob &blob : std::as_const(pushed->blobs))
            QCOMPARE(blob.action, QStringLiteral("skipped"));
        // 2 refused HEADs + one HEAD per blob + the manifest.
        QCOMPARE(stub.requestCount(), 2 + int(m_image.blobDigests().size()) + 1);
    }

    void unknownRepositoryIsOneLine()
    {
        HttpStub stub([](const HttpStub::Request &request) {
            if (request.method == "HEAD")
                return answer(404);
            return answer(404,
                          "{\"errors\":[{\"code\":\"NAME_UNKNOWN\",\"message\":\"repository name not known "
                          "to registry\"}]}",
                          {"Content-Type: application/json"});
        });
        RegistryClient client(stub.address());
        auto pushed = push(client, stub.address() + QStringLiteral("/nobody/app:v1"));
        QVERIFY(!pushed.ok());
        const QString message = pushed.error().message;
        QVERIFY2(isOneLine(message), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("registry %1, repository nobody/app").arg(stub.address())),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("NAME_UNKNOWN")), qPrintable(message));
    }

    void stalledServerEndsInAClearError()
    {
        HttpStub stub([](const HttpStub::Request &) {
            HttpStub::Response response;
            response.stall = true;
            return response;
        });
        RegistryClient client(stub.address());
        RegistryClient::Settings settings = quickSettings();
        settings.retryDelays = {10ms};
        settings.lowSpeedTime = 1; // the stub never answers: give up on it quickly
        client.setSettings(settings);
        auto pushed = push(client, stub.address() + QStringLiteral("/slow/app:v1"));
        QVERIFY(!pushed.ok());
        const QString message = pushed.error().message;
        QVERIFY2(isOneLine(message), qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("registry %1, repository slow/app").arg(stub.address())),
                 qPrintable(message));
        QVERIFY2(message.contains(QStringLiteral("stopped answering")), qPrintable(message));
        QCOMPARE(stub.requestCount(), 2); // tried, retried once, gave up
    }

    void cancellingStopsTheRetryWait_data()
    {
        QTest::addColumn<QByteArray>("retryAfter");
        QTest::newRow("seconds") << QByteArray("3600");
        QTest::newRow("HTTP date") << QDateTime::currentDateTimeUtc()
                                          .addSecs(3600)
                                          .toString(QStringLiteral("ddd, dd MMM yyyy hh:mm:ss 'GMT'"))
                                          .toLatin1();
    }

    // The registry asks for an hour's patience: the push waits (rather than retrying after its
    // own 1 ms), and a cancel ends the wait.
    void cancellingStopsTheRetryWait()
    {
        QFETCH(QByteArray, retryAfter);
        HttpStub stub([retryAfter](const HttpStub::Request &) {
            return answer(503, {}, {"Retry-After: " + retryAfter});
        });
        RegistryClient client(stub.address());
        RegistryClient::Settings settings;
        settings.retryDelays = {1ms, 1ms, 1ms};
        settings.maxRetryAfter = std::chrono::hours(1);
        client.setSettings(settings);
        std::stop_source stop;
        auto destination = ImageReference::parse(stub.address() + QStringLiteral("/wait/app:v1"));
        QVERIFY(destination.ok());
        const PushTestImage image = m_image;
        std::jthread canceller([&stop, &stub] {
            while (stub.requestCount() < 1)
                std::this_thread::sleep_for(10ms);
            stop.request_stop();
        });
        auto pushed =
            pushImage([image](const QString &digest) { return image.blobPath(digest); },
                      m_image.manifestDigest, destination.value(), client, nullptr, stop.get_token());
        QVERIFY(!pushed.ok());
        QCOMPARE(pushed.error().kind, Error::Kind::Cancelled);
        QCOMPARE(stub.requestCount(), 1);
    }

    void interruptedChunkIsResumed_data()
    {
        QTest::addColumn<bool>("sessionSurvives");
        QTest::newRow("resumed at the registry's offset") << true;
        QTest::newRow("session gone: started over") << false;
    }

    // A stub with real upload sessions: the second PATCH of the large blob breaks after half its
    // bytes were kept. The push asks where the session is (GET) and goes on from there, or starts
    // that blob over when the session is gone; the final PUT checks the digest of what arrived.
    void interruptedChunkIsResumed()
    {
        QFETCH(bool, sessionSurvives);
        QTemporaryDir work;
        const PushTestImage image =
            test::makePushTestImage(work.filePath(QStringLiteral("image")), {1300 * 1024 + 12}, 21);
        QMutex mutex;
        QHash<int, QByteArray> sessions;
        int nextSession = 0;
        int patches = 0;
        int statusChecks = 0;
        int posts = 0;
        HttpStub stub([&](const HttpStub::Request &request) {
            const QMutexLocker lock(&mutex);
            const QUrl url(QString::fromLatin1(request.target));
            const QString path = url.path();
            const auto sessionAnswer = [&](int status, int id) {
                return answer(
                    status, {},
                    {"Location: /upload/" + QByteArray::number(id) + "?n=" + QByteArray::number(patches),
                     "Range: 0-" + QByteArray::number(sessions.value(id).size() - 1)});
            };
            if (request.method == "HEAD")
                return answer(404);
            if (request.method == "POST") {
                ++posts;
                sessions.insert(++nextSession, {});
                return sessionAnswer(202, nextSession);
            }
            if (path.startsWith(u"/upload/")) {
                const int id = path.section(u'/', 2).toInt();
                if (!sessions.contains(id))
                    return answer(404, "{\"errors\":[{\"code\":\"BLOB_UPLOAD_UNKNOWN\"}]}");
                QByteArray &data = sessions[id];
                if (request.method == "GET") {
                    ++statusChecks;
                    return sessionAnswer(204, id);
                }
                if (request.method == "PATCH") {
                    const QByteArray range = request.headers.value("content-range");
                    if (range.split('-').value(0).toLongLong() != data.size())
                        return answer(416);
                    if (++patches == 2) {
                        data.append(request.body.left(request.body.size() / 2));
                        if (!sessionSurvives)
                            sessions.remove(id);
                        return answer(500);
                    }
                    data.append(request.body);
                    return sessionAnswer(202, id);
                }
                if (request.method == "PUT") {
                    data.append(request.body);
                    const QString digest = QUrlQuery(url).queryItemValue(QStringLiteral("digest"));
                    return Sha256::digestOf(data) == digest
                               ? answer(201)
                               : answer(400, "{\"errors\":[{\"code\":\"DIGEST_INVALID\"}]}");
                }
            }
            return registryLike(request);
        });
        RegistryClient client(stub.address());
        RegistryClient::Settings settings = quickSettings();
        settings.chunkedThreshold = 256 * 1024;
        settings.chunkSize = 256 * 1024;
        client.setSettings(settings);
        PushOptions options;
        options.parallel = 1;
        auto destination = ImageReference::parse(stub.address() + QStringLiteral("/resume/app:v1"));
        QVERIFY(destination.ok());
        auto pushed = pushImage([image](const QString &digest) { return image.blobPath(digest); },
                                image.manifestDigest, destination.value(), client, nullptr, {}, options);
        QVERIFY2(pushed.ok(), pushed.ok() ? "" : qPrintable(pushed.error().message));
        const QMutexLocker lock(&mutex);
        QCOMPARE(statusChecks, sessionSurvives ? 1 : 0);
        // config + large blob, plus one more session when the first was lost
        QCOMPARE(posts, sessionSurvives ? 2 : 3);
        // 2 chunks (the second broken at 384 KiB), then the remaining 916 KiB in 4 chunks from
        // there, or all 6 chunks again in a new session.
        QCOMPARE(patches, sessionSurvives ? 2 + 4 : 2 + 6);
    }

    void cliAgainstBrokenRegistryExitsNonZero()
    {
        HttpStub stub([](const HttpStub::Request &) { return answer(502, "<html>Bad Gateway</html>"); });
        const CliRun run = runCli({QStringLiteral("push"), QStringLiteral("--oci-layout"),
                                   m_image.directory + QStringLiteral(":latest"),
                                   stub.address() + QStringLiteral("/gw/app:v1")});
        QCOMPARE_NE(run.exitCode, 0);
        QVERIFY2(run.errors().size() == 1, qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("registry %1, repository gw/app").arg(stub.address())),
                 qPrintable(run.err));
        QVERIFY2(run.err.contains(QStringLiteral("HTTP 502")), qPrintable(run.err));
    }
};

QTEST_GUILESS_MAIN(TestRegistryAuth)
#include "tst_registryauth.moc"
