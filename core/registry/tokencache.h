#pragma once

#include <QDateTime>
#include <QString>

#include <memory>

namespace slipway {

// Bearer tokens of one registry, by scope: "Bearer ..." until shortly before they expire.
// Thread-safe; copies share one cache, so the clones of a client reuse each other's tokens.
class TokenCache final
{
public:
    TokenCache();

    // Empty when there is none for the scope, or it is about to expire.
    QString value(const QString &scope) const;
    void insert(const QString &scope, const QString &authorization, const QDateTime &expiry);

private:
    struct Shared;
    std::shared_ptr<Shared> d;
};

} // namespace slipway
