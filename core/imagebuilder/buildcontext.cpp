#include "imagebuilder/buildcontext.h"

#include "source/dockerignore.h"

namespace slipway {

Status writeBuildContext(const Source &source, const QString &dockerfile, const TarSink &sink)
{
    const QString ignoreName = QStringLiteral(".dockerignore");
    DockerIgnore ignore;
    const QList<SourceFile> &files = source.files();
    const bool hasIgnore = std::any_of(files.cbegin(), files.cend(),
                                       [&](const SourceFile &file) { return file.path == ignoreName; });
    if (hasIgnore) {
        auto contents = source.readRootFile(ignoreName);
        if (!contents)
            return contents.error();
        auto parsed = DockerIgnore::parse(contents.value(), source.describe() + u'/' + ignoreName);
        if (!parsed)
            return parsed.error();
        ignore = std::move(parsed.value());
    }

    const std::unique_ptr<SourceReader> reader = source.openReader();
    TarWriter tar(sink, source.timestamp());
    for (const SourceFile &file : files) {
        const bool needed = file.path == dockerfile || file.path == ignoreName;
        if (!needed && !ignore.isEmpty() && ignore.excludes(file.path))
            continue;
        Status added = success();
        switch (file.kind) {
        case SourceFile::Kind::Symlink:
            added = tar.addSymlink(file.path, file.linkTarget);
            break;
        case SourceFile::Kind::Regular:
        case SourceFile::Kind::Executable:
            added =
                tar.addFile(file.path, file.kind == SourceFile::Kind::Executable, file.size,
                            [&](const TarWriter::ContentSink &write) { return reader->read(file, write); });
            break;
        }
        if (!added)
            return added;
    }
    return tar.finish();
}

} // namespace slipway
