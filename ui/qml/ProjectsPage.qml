import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Page {
    objectName: "projectsPage"
    padding: 24

    ColumnLayout {
        anchors.fill: parent
        spacing: 24

        PageHeader {
            Layout.fillWidth: true
            title: qsTr("Projects")
            subtitle: qsTr("The git repositories Slipway builds.")
        }

        EmptyState {
            Layout.fillWidth: true
            Layout.fillHeight: true
            heading: qsTr("No projects yet")
            explanation: qsTr("Add a git repository by URL or a local folder; its slipway.toml says how the image is built.")
        }
    }
}
