import QtQuick
import QtQuick.Controls
import QtQuick.Layouts

Page {
    objectName: "targetsPage"
    padding: 24

    ColumnLayout {
        anchors.fill: parent
        spacing: 24

        PageHeader {
            Layout.fillWidth: true
            title: qsTr("Targets")
            subtitle: qsTr("The Docker or Podman hosts Slipway deploys to.")
        }

        EmptyState {
            Layout.fillWidth: true
            Layout.fillHeight: true
            heading: qsTr("No targets yet")
            explanation: qsTr("A target is a Docker or Podman engine reached by a unix socket, TCP with TLS, or ssh.")
        }
    }
}
