#include "registry/tokencache.h"

#include <QHash>
#include <QMutex>

namespace slipway {

struct TokenCache::Shared
{
    struct Entry
    {
        QString authorization;
        QDateTime expiry;
    };
    QMutex mutex;
    QHash<QString, Entry> tokens;
};

TokenCache::TokenCache()
    : d(std::make_shared<Shared>())
{}

QString TokenCache::value(const QString &scope) const
{
    const QMutexLocker lock(&d->mutex);
    const auto found = d->tokens.constFind(scope);
    // A token about to expire is not used: fetching a new one costs less than a refused request.
    if (found == d->tokens.cend() || found->expiry.addSecs(-5) < QDateTime::currentDateTimeUtc())
        return {};
    return found->authorization;
}

void TokenCache::insert(const QString &scope, const QString &authorization, const QDateTime &expiry)
{
    const QMutexLocker lock(&d->mutex);
    d->tokens.insert(scope, {authorization, expiry});
}

} // namespace slipway
