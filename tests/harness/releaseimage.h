#pragma once

#include "engine/target.h"

#include <QString>
#include <QStringList>

namespace slipway::test {

class PodmanService;
class RegistryServer;

// A release image of the deploy tests, made without Slipway: busybox httpd as PID 1 serving /www
// on `port`, whose /www/index.html says `name` and which has /www/health ("ok") only when
// `healthy`; `command` replaces the httpd command line when given. Imported by `builder`, pushed
// to `registry` as app:NAME. Returns "REGISTRY/app@DIGEST"; empty, with `error`, on failure.
QString pushReleaseImage(const PodmanService &builder, const RegistryServer &registry, const QString &name,
                         bool healthy, quint16 port, const QStringList &command = {},
                         QString *error = nullptr);

// What the one container of `app` on `target` answers on http://127.0.0.1:PORT/, asked from
// inside it with its busybox wget: the body; "containers: N" when the app has not exactly one
// container, "unreachable", or "failed: OUTPUT".
QString answerFromInside(const Target &target, const QString &app, quint16 port);

} // namespace slipway::test
