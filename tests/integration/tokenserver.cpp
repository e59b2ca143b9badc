#include "tokenserver.h"

#include "processes.h"

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QUrl>
#include <QUrlQuery>
#include <QUuid>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

namespace slipway::test {
namespace {

QByteArray base64Url(const QByteArray &bytes)
{
    return bytes.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
}

HttpStub::Response jsonAnswer(int status, const QJsonObject &json)
{
    HttpStub::Response response;
    response.status = status;
    response.headers = {"Content-Type: application/json"};
    response.body = QJsonDocument(json).toJson(QJsonDocument::Compact);
    return response;
}

} // namespace

TokenServer::TokenServer(QString directory, QString username, QString password)
    : m_directory(std::move(directory))
    , m_username(std::move(username))
    , m_password(std::move(password))
{}

TokenServer::~TokenServer()
{
    m_http.reset();
    EVP_PKEY_free(m_key);
}

QString TokenServer::certificatePath() const
{
    return m_directory + QStringLiteral("/token.crt");
}

QString TokenServer::realm() const
{
    return QStringLiteral("http://%1/token").arg(m_http ? m_http->address() : QString());
}

bool TokenServer::start()
{
    const QString keyPath = m_directory + QStringLiteral("/token.key");
    QString output;
    if (runTool(QStringLiteral("openssl"),
                {QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                 QStringLiteral("rsa:2048"), QStringLiteral("-nodes"), QStringLiteral("-days"),
                 QStringLiteral("2"), QStringLiteral("-subj"),
                 QStringLiteral("/CN=slipway test token signer"), QStringLiteral("-keyout"), keyPath,
                 QStringLiteral("-out"), certificatePath()},
                &output) != 0) {
        m_error = QStringLiteral("openssl failed: ") + output;
        return false;
    }
    const QByteArray keyName = QFile::encodeName(keyPath);
    const QByteArray certName = QFile::encodeName(certificatePath());
    if (FILE *file = std::fopen(keyName.constData(), "r")) {
        m_key = PEM_read_PrivateKey(file, nullptr, nullptr, nullptr);
        std::fclose(file);
    }
    if (FILE *file = std::fopen(certName.constData(), "r")) {
        if (X509 *certificate = PEM_read_X509(file, nullptr, nullptr, nullptr)) {
            unsigned char *der = nullptr;
            const int length = i2d_X509(certificate, &der);
            if (length > 0)
                m_certificateDer = QByteArray(reinterpret_cast<const char *>(der), length);
            OPENSSL_free(der);
            X509_free(certificate);
        }
        std::fclose(file);
    }
    if (!m_key || m_certificateDer.isEmpty()) {
        m_error = QStringLiteral("cannot read the token key or certificate");
        return false;
    }
    m_http = std::make_unique<HttpStub>([this](const HttpStub::Request &request) { return answer(request); });
    if (!m_http->isListening()) {
        m_error = QStringLiteral("the token server cannot listen");
        return false;
    }
    return true;
}

void TokenServer::issueExpiredTokens(int count)
{
    const QMutexLocker lock(&m_mutex);
    m_expired = count;
}

void TokenServer::denyRepository(const QString &repository)
{
    const QMutexLocker lock(&m_mutex);
    m_denied.insert(repository);
}

int TokenServer::tokenRequests() const
{
    const QMutexLocker lock(&m_mutex);
    return m_requests;
}

QStringList TokenServer::issuedTokens() const
{
    const QMutexLocker lock(&m_mutex);
    return m_tokens;
}

QByteArray TokenServer::sign(const QByteArray &data) const
{
    EVP_MD_CTX *context = EVP_MD_CTX_new();
    size_t length = 0;
    QByteArray signature;
    if (EVP_DigestSignInit(context, nullptr, EVP_sha256(), nullptr, m_key) == 1 &&
        EVP_DigestSign(context, nullptr, &length, reinterpret_cast<const unsigned char *>(data.constData()),
                       size_t(data.size())) == 1) {
        signature.resize(qsizetype(length));
        if (EVP_DigestSign(context, reinterpret_cast<unsigned char *>(signature.data()), &length,
                           reinterpret_cast<const unsigned char *>(data.constData()),
                           size_t(data.size())) != 1)
            signature.clear();
        else
            signature.resize(qsizetype(length));
    }
    EVP_MD_CTX_free(context);
    return signature;
}

HttpStub::Response TokenServer::answer(const HttpStub::Request &request)
{
    const QUrl url(QString::fromUtf8(request.target));
    if (url.path() != u"/token")
        return jsonAnswer(404, QJsonObject{{QStringLiteral("details"), QStringLiteral("not found")}});
    const QMutexLocker lock(&m_mutex);
    ++m_requests;
    const QByteArray expected = "Basic " + QString(m_username + u':' + m_password).toUtf8().toBase64();
    if (request.headers.value("authorization") != expected)
        return jsonAnswer(
            401, QJsonObject{{QStringLiteral("details"), QStringLiteral("incorrect username or password")}});

    // scope=repository:NAME:ACTIONS, several of them space-separated or repeated.
    QJsonArray access;
    const QUrlQuery query(url);
    const QStringList scopeItems = query.allQueryItemValues(QStringLiteral("scope"), QUrl::FullyDecoded);
    for (const QString &item : scopeItems) {
        const QStringList scopes = item.split(u' ', Qt::SkipEmptyParts);
        for (const QString &scope : scopes) {
            const QStringList parts = scope.split(u':');
            if (parts.size() != 3 || parts.at(0) != u"repository")
                continue;
            QJsonArray actions;
            if (!m_denied.contains(parts.at(1)))
                for (const QString &action : parts.at(2).split(u','))
                    actions.append(action);
            access.append(QJsonObject{{QStringLiteral("type"), QStringLiteral("repository")},
                                      {QStringLiteral("name"), parts.at(1)},
                                      {QStringLiteral("actions"), actions}});
        }
    }

    const qint64 now = QDateTime::currentSecsSinceEpoch();
    const bool expired = m_expired > 0;
    if (expired)
        --m_expired;
    const qint64 issuedAt = expired ? now - 7200 : now - 10;
    const qint64 expiresAt = expired ? now - 3600 : now + 300;
    const QByteArray header =
        QJsonDocument(QJsonObject{{QStringLiteral("typ"), QStringLiteral("JWT")},
                                  {QStringLiteral("alg"), QStringLiteral("RS256")},
                                  {QStringLiteral("x5c"),
                                   QJsonArray{QString::fromLatin1(m_certificateDer.toBase64())}}})
            .toJson(QJsonDocument::Compact);
    const QByteArray claims =
        QJsonDocument(QJsonObject{{QStringLiteral("iss"), issuer()},
                                  {QStringLiteral("sub"), m_username},
                                  {QStringLiteral("aud"), service()},
                                  {QStringLiteral("exp"), expiresAt},
                                  {QStringLiteral("nbf"), issuedAt},
                                  {QStringLiteral("iat"), issuedAt},
                                  {QStringLiteral("jti"), QUuid::createUuid().toString(QUuid::WithoutBraces)},
                                  {QStringLiteral("access"), access}})
            .toJson(QJsonDocument::Compact);
    const QByteArray signingInput = base64Url(header) + '.' + base64Url(claims);
    const QByteArray signature = sign(signingInput);
    if (signature.isEmpty())
        return jsonAnswer(500, QJsonObject{{QStringLiteral("details"), QStringLiteral("signing failed")}});
    const QString token = QString::fromLatin1(signingInput + '.' + base64Url(signature));
    m_tokens.append(token);
    return jsonAnswer(200,
                      QJsonObject{{QStringLiteral("token"), token},
                                  {QStringLiteral("access_token"), token},
                                  {QStringLiteral("expires_in"), 300},
                                  {QStringLiteral("issued_at"),
                                   QDateTime::fromSecsSinceEpoch(issuedAt, Qt::UTC).toString(Qt::ISODate)}});
}

} // namespace slipway::test
