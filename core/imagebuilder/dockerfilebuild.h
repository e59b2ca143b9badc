#pragma once

#include "events/event.h"
#include "imagebuilder/imagebuilder.h"
#include "source/source.h"
#include "util/result.h"

class QThreadPool;

namespace slipway {

// The build of a source whose spec has no [[layers]]: its Dockerfile ([build] dockerfile),
// built by an engine (BuildRequest::engine, or the target [build] engine names) through POST
// /build, the context streamed from the source (writeBuildContext), the commit and the
// source as labels (never build args, so the engine's step cache holds from one commit to the
// next), then brought into the content store (importEngineImage): what follows is as for any
// build. Each step is a LayerEvent (its instruction as the name; building, cached, done or
// failed), each output line a LogEvent. The request's stop token ends the build on the engine
// (the connection drops). Errors name the Dockerfile or the engine's target.
Result<BuildOutput> buildWithDockerfile(const BuildRequest &request, EventSink &events, const Source &source,
                                        const Spec &spec, QThreadPool *pool, int jobs);

} // namespace slipway
