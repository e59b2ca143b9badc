#include "projectfile/spec.h"

#include "projectfile/specformat.h"
#include "util/glob.h"

#include <QHash>

#include <algorithm>
#include <iterator>
#include <optional>
#include <vector>

namespace slipway {

using spec_detail::quotedList;

namespace {

// A glob without the leading '/' and "./" that Glob ignores.
QStringView withoutLeadingRoot(QStringView p)
{
    for (;;) {
        if (p.startsWith(u'/'))
            p = p.sliced(1);
        else if (p.startsWith(QLatin1String("./")))
            p = p.sliced(2);
        else
            return p;
    }
}

// The first path segment every include of `layer` starts with literally, or nothing if one may
// match any first segment. Used only to skip layers that cannot take a file.
std::optional<QStringList> literalFirstSegments(const LayerSpec &layer)
{
    QStringList segments;
    for (const QString &include : layer.include) {
        const QStringView p = withoutLeadingRoot(include);
        const qsizetype slash = p.indexOf(u'/');
        const QStringView first = slash < 0 ? p : p.first(slash);
        const bool literal = !first.isEmpty() && first != QLatin1String(".") &&
                             std::none_of(first.begin(), first.end(), [](QChar c) {
                                 return c == u'*' || c == u'?' || c == u'[' || c == u'\\';
                             });
        if (!literal)
            return std::nullopt;
        segments << first.toString();
    }
    return segments;
}

} // namespace

Result<QList<QList<SourceFile>>> assignFiles(const Spec &spec, const QList<SourceFile> &files,
                                             const QString &fileName)
{
    struct CompiledLayer
    {
        std::vector<Glob> include;
        std::vector<Glob> exclude;
        bool takesAll = false; // include "**" and no exclude: takes whatever reaches it
    };
    std::vector<CompiledLayer> layers;
    layers.reserve(size_t(spec.layers.size()));
    // Layers that may take a file whatever its first segment, and those keyed by the literal
    // first segment of all their includes: a file only needs to try the layers that can take it.
    std::vector<int> anyFirst;
    QHash<QString, std::vector<int>> byFirst;
    for (int i = 0; i < spec.layers.size(); ++i) {
        const LayerSpec &layerSpec = spec.layers[i];
        CompiledLayer layer;
        for (const QString &pattern : layerSpec.include) {
            Result<Glob> glob = Glob::compile(pattern);
            if (!glob.ok())
                return Error::badInput(fileName + QStringLiteral(": layer '") + layerSpec.name +
                                       QStringLiteral("': ") + glob.error().message);
            layer.include.push_back(std::move(glob).value());
        }
        for (const QString &pattern : layerSpec.exclude) {
            Result<Glob> glob = Glob::compile(pattern);
            if (!glob.ok())
                return Error::badInput(fileName + QStringLiteral(": layer '") + layerSpec.name +
                                       QStringLiteral("': ") + glob.error().message);
            layer.exclude.push_back(std::move(glob).value());
        }
        layer.takesAll =
            layer.exclude.empty() &&
            std::any_of(layerSpec.include.begin(), layerSpec.include.end(),
                        [](const QString &p) { return withoutLeadingRoot(p) == QLatin1String("**"); });
        if (const std::optional<QStringList> firsts = literalFirstSegments(layerSpec)) {
            for (const QString &first : *firsts) {
                std::vector<int> &list = byFirst[first];
                if (list.empty() || list.back() != i)
                    list.push_back(i);
            }
        } else {
            anyFirst.push_back(i);
        }
        layers.push_back(std::move(layer));
    }

    // The layers a file with a given first segment must try, in spec order.
    QHash<QString, std::vector<int>> candidatesCache;
    auto candidatesFor = [&](const QString &first) -> const std::vector<int> & {
        auto cached = candidatesCache.find(first);
        if (cached != candidatesCache.end())
            return *cached;
        std::vector<int> merged;
        const auto keyed = byFirst.constFind(first);
        if (keyed != byFirst.cend()) {
            std::merge(keyed->begin(), keyed->end(), anyFirst.begin(), anyFirst.end(),
                       std::back_inserter(merged));
        } else {
            merged = anyFirst;
        }
        // Nothing after a layer that takes every file can take one.
        const auto all =
            std::find_if(merged.begin(), merged.end(), [&](int i) { return layers[size_t(i)].takesAll; });
        if (all != merged.end())
            merged.erase(all + 1, merged.end());
        return *candidatesCache.insert(first, std::move(merged));
    };

    QList<QList<SourceFile>> assigned(spec.layers.size());
    for (const SourceFile &file : files) {
        const qsizetype slash = file.path.indexOf(u'/');
        const QString first = slash < 0 ? file.path : file.path.first(slash);
        for (int i : candidatesFor(first)) {
            const CompiledLayer &layer = layers[size_t(i)];
            const auto matches = [&](const Glob &g) { return g.matches(file.path); };
            if (layer.takesAll || (std::any_of(layer.include.begin(), layer.include.end(), matches) &&
                                   std::none_of(layer.exclude.begin(), layer.exclude.end(), matches))) {
                assigned[i] << file;
                break;
            }
        }
    }

    for (int i = 0; i < spec.layers.size(); ++i) {
        if (assigned[i].isEmpty()) {
            const LayerSpec &layer = spec.layers[i];
            QString message = fileName + QStringLiteral(": layer '") + layer.name +
                              QStringLiteral("' takes no file (include = ") + quotedList(layer.include);
            if (!layer.exclude.isEmpty())
                message += QStringLiteral(", exclude = ") + quotedList(layer.exclude);
            message += u')';
            return Error::badInput(message);
        }
    }
    return assigned;
}

} // namespace slipway
