#pragma once

#include "engine/engineservices.h"
#include "util/result.h"

#include <QList>
#include <QMap>
#include <QString>

#include <functional>

namespace slipway {

class SwarmSecrets;

// An app's [deploy] secrets on a Swarm target, as Swarm secrets its tasks read under
// /run/secrets. A Swarm secret cannot change, so each value is a secret of its own, named
// APP.NAME.HASH (the first 12 hex digits of the value's keyed hash, cut to Swarm's 64
// characters) and labelled with the app, the name and the whole hash: a new value is a new
// secret, a redeploy of the same value uses the one there, and a rollback's spec still names
// the secrets it ran with. See docs/deploy.md, "Swarm targets".
QString swarmSecretName(const QString &app, const QString &name, const QString &hash);

// The secrets of `values` (name -> value, with `hashes` name -> keyed hash) as references for
// the service spec, made where missing. BadInput, before anything is made, when a secret of one
// of those names is there and is not the app's of that value (made by hand, or tampered with).
// `where` is "target NAME (ENDPOINT): service APP". A failure removes what this call made.
Result<QList<ServiceSecretRef>> placeSwarmSecrets(SwarmSecrets &secrets, const QString &where,
                                                  const QString &app, const QMap<QString, QString> &values,
                                                  const QMap<QString, QString> &hashes,
                                                  const std::function<void(const QString &)> &log);

// Removes the app's secrets that neither `service`'s spec nor its previous spec (the one a
// Swarm rollback goes back to) names. Best effort: what cannot go is said to `log`.
void pruneSwarmSecrets(SwarmSecrets &secrets, const QString &app, const ServiceState &service,
                       const std::function<void(const QString &)> &log);

} // namespace slipway
