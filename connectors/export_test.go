package connectors

import "kefu/appliance"

func errorCode(err error) string { return appliance.ErrorCode(err) }
