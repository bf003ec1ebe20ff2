terraform {
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.0"
    }
  }
}

locals {
  name = "${var.prefix}-notification-router"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "router" {
  name               = local.name
  assume_role_policy = data.aws_iam_policy_document.assume.json
  tags               = var.common_tags
}

# Exactly the actions the router uses.
data "aws_iam_policy_document" "router" {
  statement {
    sid       = "ConnectionTable"
    actions   = ["dynamodb:Query", "dynamodb:Scan", "dynamodb:BatchWriteItem", "dynamodb:PutItem"]
    resources = [var.connections_table.arn]
  }
  statement {
    sid       = "PostToConnections"
    actions   = ["execute-api:ManageConnections"]
    resources = ["${var.apigw_execution_arn}/*/POST/@connections/*"]
  }
  statement {
    sid       = "Logs"
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.router.arn}:*"]
  }
  dynamic "statement" {
    for_each = var.notifications_queue_arn == null ? [] : [var.notifications_queue_arn]
    content {
      sid       = "Queue"
      actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
      resources = [statement.value]
    }
  }
}

resource "aws_iam_role_policy" "router" {
  name   = local.name
  role   = aws_iam_role.router.id
  policy = data.aws_iam_policy_document.router.json
}

resource "aws_cloudwatch_log_group" "router" {
  name              = "/aws/lambda/${local.name}"
  retention_in_days = var.log_retention_days
  tags              = var.common_tags
}

resource "aws_lambda_function" "router" {
  function_name    = local.name
  role             = aws_iam_role.router.arn
  filename         = var.package_path
  source_code_hash = filebase64sha256(var.package_path)
  handler          = "bootstrap"
  runtime          = "provided.al2023"
  architectures    = [var.architecture]
  memory_size      = var.memory_size
  timeout          = var.timeout
  environment {
    variables = {
      APIGW_ENDPOINT         = var.apigw_endpoint
      CONNECTIONS_TABLE_NAME = var.connections_table.name
    }
  }
  tags       = var.common_tags
  depends_on = [aws_cloudwatch_log_group.router, aws_iam_role_policy.router]
}

resource "aws_lambda_event_source_mapping" "queue" {
  count                              = var.notifications_queue_arn == null ? 0 : 1
  event_source_arn                   = var.notifications_queue_arn
  function_name                      = aws_lambda_function.router.arn
  batch_size                         = 10
  maximum_batching_window_in_seconds = 1
  function_response_types            = ["ReportBatchItemFailures"]
}

resource "aws_sns_topic_subscription" "topic" {
  count     = var.notifications_topic_arn == null ? 0 : 1
  topic_arn = var.notifications_topic_arn
  protocol  = "lambda"
  endpoint  = aws_lambda_function.router.arn
}

resource "aws_lambda_permission" "topic" {
  count         = var.notifications_topic_arn == null ? 0 : 1
  statement_id  = "AllowSNS"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.router.function_name
  principal     = "sns.amazonaws.com"
  source_arn    = var.notifications_topic_arn
}

# Lets the WebSocket API call the function as its $connect and $disconnect integration.
resource "aws_lambda_permission" "websocket" {
  statement_id  = "AllowWebSocketApi"
  action        = "lambda:InvokeFunction"
  function_name = aws_lambda_function.router.function_name
  principal     = "apigateway.amazonaws.com"
  source_arn    = "${var.apigw_execution_arn}/*"
}
