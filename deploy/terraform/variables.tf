# The inputs of obytes/apigw-websocket-pusher's module, so that a deployment of the original
# can switch to notification-router by changing the module source and the package.

variable "prefix" {
  description = "Prefix of every resource name."
  type        = string
}

variable "common_tags" {
  description = "Tags added to every resource."
  type        = map(string)
  default     = {}
}

variable "connections_table" {
  description = "The DynamoDB table of connections (hash key user_id, range key connection_id)."
  type = object({
    name = string
    arn  = string
  })
}

variable "apigw_endpoint" {
  description = "The management API endpoint, https://<api>.execute-api.<region>.amazonaws.com/<stage>."
  type        = string
}

variable "apigw_execution_arn" {
  description = "The WebSocket API's execution ARN, arn:aws:execute-api:<region>:<account>:<api>."
  type        = string
}

variable "notifications_topic_arn" {
  description = "The SNS topic backends publish to; null for none."
  type        = string
  default     = null
}

variable "notifications_queue_arn" {
  description = "The SQS queue backends send to (with a redrive policy to a dead-letter queue); null for none."
  type        = string
  default     = null
}

variable "package_path" {
  description = "The zip made by scripts/package-lambda.sh."
  type        = string
  default     = "../../dist/notification-router-x86_64.zip"
}

variable "architecture" {
  description = "x86_64 or arm64; it must match the package."
  type        = string
  default     = "x86_64"
}

variable "memory_size" {
  type    = number
  default = 256
}

variable "timeout" {
  description = "Seconds; the queue's visibility timeout should be at least six times this."
  type        = number
  default     = 30
}

variable "log_retention_days" {
  type    = number
  default = 14
}
