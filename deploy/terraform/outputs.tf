output "function_name" {
  value = aws_lambda_function.router.function_name
}

output "function_arn" {
  value = aws_lambda_function.router.arn
}

output "invoke_arn" {
  description = "For the WebSocket API's $connect and $disconnect integrations."
  value       = aws_lambda_function.router.invoke_arn
}
