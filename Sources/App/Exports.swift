// What a program that runs the router (the command line, an embedding `main`) uses with
// RouterApp: the core types (route tables, plugins, settings) and the dev gateway's options.
@_exported import RouterCore
@_exported import struct LocalGateway.LocalGatewayConfiguration
