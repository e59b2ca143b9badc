#pragma once

#include "httpstub.h"

#include <QMutex>
#include <QSet>
#include <QString>
#include <QStringList>

#include <memory>

typedef struct evp_pkey_st EVP_PKEY;

namespace slipway::test {

// The token server of Docker's token auth, as small as the registry allows: checks Basic
// credentials, grants what the scope asks for (except for denied repositories) and answers with
// an RS256 JWT whose x5c header carries the signing certificate, which the registry trusts
// through its rootcertbundle.
class TokenServer final
{
public:
    TokenServer(QString directory, QString username, QString password);
    ~TokenServer();

    // False with errorString() when the key, certificate or listener could not be made.
    bool start();
    QString errorString() const { return m_error; }

    QString realm() const;
    QString service() const { return QStringLiteral("slipway-test-registry"); }
    QString issuer() const { return QStringLiteral("slipway-test-token-issuer"); }
    QString certificatePath() const;

    // The next count tokens expire before they are issued (beyond the registry's leeway).
    void issueExpiredTokens(int count);
    void denyRepository(const QString &repository);

    int tokenRequests() const; // answered with a token or a refusal
    QStringList issuedTokens() const;

private:
    HttpStub::Response answer(const HttpStub::Request &request);
    QByteArray sign(const QByteArray &data) const;

    QString m_directory;
    QString m_username;
    QString m_password;
    QString m_error;
    EVP_PKEY *m_key = nullptr;
    QByteArray m_certificateDer;
    std::unique_ptr<HttpStub> m_http;
    mutable QMutex m_mutex;
    int m_expired = 0;
    int m_requests = 0;
    QSet<QString> m_denied;
    QStringList m_tokens;
};

} // namespace slipway::test
