#pragma once

#include "deploy/deploylock.h"
#include "deploy/healthcheck.h"
#include "deploy/proxy.h"
#include "deploy/rollout.h"
#include "deploy/targetdriver.h"
#include "engine/engineclient.h"

#include <QElapsedTimer>
#include <QJsonObject>

#include <memory>
#include <optional>

namespace slipway {

// An app as a container on a Docker or Podman engine, reached over the Engine API. The new
// release's container (`<app>-<release>`) is created beside the old ones; old containers that
// hold one of its host ports stop first (so such a switch has a gap), every other one keeps
// serving until the new one is healthy. A new container that fails is removed and what was
// stopped starts again. Retiring stops and removes a container and keeps its image, for
// rollbacks.
//
// Behind the target's proxy ([deploy.proxy], deploy/proxy.h) the new container joins the
// proxy's network and publishes nothing; once healthy (checked from the proxy) the proxy
// switches to it, the old one drains and only then is retired: no request waits or fails.
class ContainerDriver final : public TargetDriver
{
public:
    // `connected`: a client already connected to the target (the rollout's kind step made it),
    // taken over; none: the driver connects in prepare().
    ContainerDriver(const RolloutRequest &request, const Target &target, RolloutReporter &reporter,
                    std::unique_ptr<EngineClient> connected = nullptr);

    QString where() const override { return m_client.where(); }
    Status prepare() override;
    Status lock() override;
    Status shipImage() override;
    Result<QList<AppInstance>> inspect() override;
    Result<AppInstance> switchTo(const QList<AppInstance> &current) override;
    void retire(const QList<AppInstance> &previous) override;
    Result<QStringList> restore(const QString &serving) override;
    Status followLogs(const AppInstance &instance, const std::function<bool(int, const QString &)> &onLine,
                      int tail) override;

private:
    Status choosePlatform();
    Status takeLock(const QString &image);
    Status transferImage();
    bool hasReleaseId(const QJsonObject &inspected) const;
    Status pullFromHere();
    ContainerSpec containerSpec(const QString &name) const;
    Result<AppInstance> create();
    Status copySecretFiles(const QString &id);
    Status checkHostPaths();
    Status stopInTheWay(const QList<AppInstance> &current, QList<AppInstance> *stopped);
    Error abandon(const AppInstance &next, const QList<AppInstance> &stopped, const Error &error);
    Status prepareProxy();
    QString seconds() const; // since the driver was made, "3.2"
    Status routeThroughProxy(const AppInstance &instance);

    const RolloutRequest &m_request;
    const Target &m_target;
    ImageSource m_image; // the request's, or its platform's for this target's engine (prepare())
    RolloutReporter &m_reporter;
    bool m_connected = false; // before m_ownClient: initialized from the client it takes over
    std::unique_ptr<EngineClient> m_ownClient;
    EngineClient &m_client;
    HealthCheck m_health;
    std::optional<TargetProxy> m_proxy; // with [deploy.proxy], after prepare()
    QByteArray m_certificate;           // its TLS certificate chain and key, read in prepare()
    std::optional<DeployLock> m_lock;   // released before m_client goes
    QElapsedTimer m_timer;              // since the driver was made, for the log's "at 3.2 s"
};

} // namespace slipway
