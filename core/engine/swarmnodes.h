#pragma once

#include "util/result.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace slipway {

class EngineConnection;

// One node of a Swarm, as GET /nodes has it.
struct SwarmNode
{
    QString id;
    QString hostname;      // Description.Hostname
    QString state;         // Status.State: "ready", "down", "disconnected", "unknown"
    QString address;       // Status.Addr
    QString availability;  // Spec.Availability: "active", "pause", "drain"
    QString role;          // Spec.Role: "manager", "worker"
    bool leader = false;   // ManagerStatus.Leader
    QString reachability;  // ManagerStatus.Reachability of a manager: "reachable", "unreachable"
    QString engineVersion; // Description.Engine.EngineVersion
};

// The tasks of one service that Swarm wants running on one node.
struct SwarmNodeReplicas
{
    QString nodeId;   // empty: not placed on a node yet (pending)
    QString hostname; // the node's; its id when GET /nodes does not list it
    int running = 0;
    QStringList states; // Status.State of each of those tasks, sorted ("preparing", "running", ...)
};

// A service Slipway made (it carries io.slipway.app), and where its replicas are.
struct SwarmServiceReplicas
{
    QString id;
    QString name;
    QString app;                    // io.slipway.app
    QString release;                // io.slipway.release
    qint64 desired = 0;             // Mode.Replicated.Replicas
    int running = 0;                // its tasks that run, on all nodes
    QList<SwarmNodeReplicas> nodes; // by hostname; the unplaced last
};

// What a Swarm manager shows of its Swarm: every node, and Slipway's services with their replicas
// per node.
struct SwarmOverview
{
    QString nodeId;                       // the manager the target reaches
    QList<SwarmNode> nodes;               // by hostname
    QList<SwarmServiceReplicas> services; // by name
};

// Reads the overview through a connected EngineConnection to a Swarm manager: GET /nodes, GET
// /services with label io.slipway.app, and for each of those GET /tasks with desired-state
// running. `nodeId` is the manager's own (SwarmInfo::nodeId). Errors are one line naming the
// target.
Result<SwarmOverview> readSwarmOverview(EngineConnection &connection, const QString &nodeId = {});

// "node-a: ready, active, manager, leader" (a manager another cannot reach: ", unreachable")
QString describeSwarmNode(const SwarmNode &node);
// "web: release 12, 3/3 replicas (node-a 2, node-b 1)"; a node whose tasks do not all run yet
// says what the others do: "node-a 1 + 1 preparing"; tasks on no node yet: "no node 1 pending".
QString describeSwarmService(const SwarmServiceReplicas &service);
// "manager, 2 nodes"
QString describeSwarm(const SwarmOverview &overview);

} // namespace slipway
