#pragma once

// Private to core/projectfile/: a reader per table of slipway.toml. Each records what is wrong
// in `problems` and fills what it could read.

#include "projectfile/spec.h"
#include "projectfile/tomlreader.h"

#include <QChar>
#include <QList>
#include <QString>

#include <functional>
#include <optional>

namespace slipway::spec_detail {

// [image] (specimage.cpp)
void readImage(SpecProblems &problems, const toml::table &table, ImageSpec &image);

// [build] (specimage.cpp)
void readBuild(SpecProblems &problems, const toml::table &table, BuildSpec &build);

// [[layers]] (speclayers.cpp)
void readLayers(SpecProblems &problems, const toml::node &node, QList<LayerSpec> &layers);

// [deploy] (specdeploy.cpp), or an [env.NAME] table's keys over it: `tableName` is how messages
// name the table ("[deploy]", "[env.production]"); only the keys present change `deploy`.
// healthLine: the line of its health table, for checks across tables.
// `otherKey`, when given, is offered each key first, and returns true for one it has read itself
// (an environment's targets).
void readDeploy(SpecProblems &problems, const toml::table &table, const QString &tableName,
                DeploySpec &deploy, int &healthLine,
                const std::function<bool(const QString &key, const toml::node &node)> &otherKey = {});
// [deploy] proxy, or an [env.NAME] table's, over deploy.proxy (specproxy.cpp).
void readProxy(SpecProblems &problems, const toml::node &node, const QString &tableName, DeploySpec &deploy);
// A duration, "30s", "2m", "500ms" or whole seconds, from 1 s to 24 h, into whole seconds.
bool readDuration(SpecProblems &problems, const toml::node &node, const QString &where, int &out);
// "HOST:CONTAINER" or "HOST:CONTAINER/tcp|udp"; returns the container port.
std::optional<int> parsePortMapping(const QString &mapping);

// Names of layers (any case) and containers (lower case): letters, digits, '.', '_' and '-'.
inline bool isNameChar(QChar c, bool upperAllowed)
{
    const char16_t u = c.unicode();
    return (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'.' || u == u'_' || u == u'-' ||
           (upperAllowed && u >= u'A' && u <= u'Z');
}

} // namespace slipway::spec_detail
