#pragma once

#include <QByteArray>

// Which scene graph draws the window. Qt Quick draws through OpenGL by default; where OpenGL is
// itself a software rasterizer (Mesa's llvmpipe and friends on a machine without a GPU: virtual
// machines, remote desktops, CI), Qt Quick's own software renderer, which repaints only what
// changed and on the GUI thread, costs far less: in the GUI benchmark under Xvfb the build ran
// 3x faster beside it and the longest event-loop stall fell from 38 to 12 ms (docs/console.md).

// Whether an OpenGL renderer string (GL_RENDERER) names a software rasterizer.
bool isSoftwareOpenGl(const QByteArray &renderer);

// Before the first window: picks Qt Quick's software renderer when the OpenGL at hand is a
// software rasterizer, unless the user chose a backend (QT_QUICK_BACKEND, QSG_RHI_BACKEND).
// Returns the renderer string it saw (empty when no OpenGL context could be made).
QByteArray chooseSceneGraph();
