"""API Gateway mapping templates (``sfnkit/cloud/services/vtl``), against the examples of AWS's developer guide.

Sources: "Examples using variables for mapping template transformations for API Gateway" and "Variables for data
transformations for API Gateway" (https://docs.aws.amazon.com/apigateway/latest/developerguide/
api-gateway-mapping-variable-examples.html, .../api-gateway-mapping-template-reference.html); the PetStore example's
response template (API Gateway's "Mapping template examples").
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from sfnkit.cloud.services.apigateway import escape_javascript, template_variables
from sfnkit.cloud.services.vtl import TemplateError, render

PETS = {"pets": [{"id": 1, "type": "dog", "price": 249.99}, {"id": 2, "type": "cat", "price": 124.99}]}
PARAMS = {"path": {"petId": "7"}, "querystring": {"q": "a b", "lang": "en"}, "header": {"Accept": "*/*"}}
CONTEXT = {"stage": "prod", "requestId": "abcdefg-000", "apiId": "abcd1234", "resourcePath": "/", "httpMethod": "GET",
           "identity": {"sourceIp": "192.0.2.1", "userAgent": "curl/7.84.0"}}  # fmt: skip


def _render(template: str, body: Any = PETS, **extra: Any) -> str:
    text = body if isinstance(body, str) else json.dumps(body)
    variables = template_variables(text, PARAMS, CONTEXT, {"env": "test"})
    return render(template, {**variables, **extra}, name="'application/json'")


def test_example_1_context_variables() -> None:
    template = """{
    "stage" : "$context.stage",
    "request_id" : "$context.requestId",
    "api_id" : "$context.apiId",
    "resource_path" : "$context.resourcePath",
    "http_method" : "$context.httpMethod",
    "source_ip" : "$context.identity.sourceIp",
    "user-agent" : "$context.identity.userAgent"
}"""
    assert json.loads(_render(template)) == {
        "stage": "prod", "request_id": "abcdefg-000", "api_id": "abcd1234", "resource_path": "/",
        "http_method": "GET", "source_ip": "192.0.2.1", "user-agent": "curl/7.84.0",
    }  # fmt: skip


def test_example_2_every_parameter_through_nested_foreach_with_has_next() -> None:
    template = """#set($allParams = $input.params())
{
  "params" : {
    #foreach($type in $allParams.keySet())
    #set($params = $allParams.get($type))
    "$type" : {
      #foreach($paramName in $params.keySet())
      "$paramName" : "$util.escapeJavaScript($params.get($paramName))"
      #if($foreach.hasNext),#end
      #end
    }
    #if($foreach.hasNext),#end
    #end
  }
}"""
    out = _render(template)
    assert json.loads(out) == {"params": PARAMS}
    assert not out.startswith("\n")  # the #set line went with its directive


def test_petstore_response_template_foreach_over_input_path() -> None:
    template = """#set($inputRoot = $input.path('$'))
[
#foreach($elem in $inputRoot.pets)
  {
    "description" : "Item $elem.id is a $elem.type.",
    "askingPrice" : $elem.price
  }#if($foreach.hasNext),#end

#end
]"""
    assert json.loads(_render(template)) == [
        {"description": "Item 1 is a dog.", "askingPrice": 249.99},
        {"description": "Item 2 is a cat.", "askingPrice": 124.99},
    ]


def test_input_json_path_body_and_params() -> None:
    assert _render("$input.json('$.pets[0]')") == '{"id":1,"type":"dog","price":249.99}'
    assert _render("$input.path('$.pets').size()") == "2"
    assert _render("$input.json('$')", body={"a": [1, "x"]}) == '{"a":[1,"x"]}'
    assert _render("$input.body", body='{"raw" : true}') == '{"raw" : true}'
    assert _render("$input.params('petId')/$input.params('q')/$input.params('Accept')") == "7/a b/*/*"
    # a Java map prints as Java prints it (AWS recording: services/test_apigetway_task_service__..._query_parameters)
    assert _render('"$input.params().querystring"') == '"{q=a b, lang=en}"'
    assert _render("[$input.params('nothing')]") == "[]"  # a missing parameter prints nothing


def test_util_functions() -> None:
    assert _render("$util.escapeJavaScript('it\"s /')") == 'it\\"s \\/'
    assert _render('$util.escapeJavaScript("it\'s")') == "it\\'s"
    assert escape_javascript("tab\tnew\nline é \u2028 😀") == "tab\\tnew\\nline \\u00E9 \\u2028 \\uD83D\\uDE00"
    assert _render("$util.urlEncode('a b&c~*')") == "a+b%26c%7E*"
    assert _render("$util.urlDecode('a+b%26c')") == "a b&c"
    assert _render("$util.base64Encode('hello')") == "aGVsbG8="
    assert _render("$util.base64Decode('aGVsbG8=')") == "hello"
    assert _render("#set($o = $util.parseJson('{\"n\": [1, 2]}'))$o.n.get(1)") == "2"
    assert _render("$stageVariables.env") == "test"


@pytest.mark.parametrize(
    ("template", "expected"),
    [
        ("#set($a = 2)#if($a > 1)big#elseif($a == 1)one#{else}small#end", "big"),
        ("#set($a = 1)#if($a gt 1)big#elseif($a eq 1)one#else small#end", "one"),
        ("#foreach($i in [1..3])$i#if($foreach.hasNext),#end#end", "1,2,3"),
        ("#foreach($i in [3..1])$foreach.index:$velocityCount #end", "0:1 1:2 2:3 "),
        ("#foreach($i in [1, 2, 3])#if($i == 2)#break#end$i#end", "1"),
        ('#set($m = {"a": 1})#set($m.b = "x")$m', "{a=1, b=x}"),
        ("#set($s = 'Hello')${s}World $!{missing}|$missing|$s.toUpperCase().substring(1, 3)", "HelloWorld ||EL"),
        ('#set($s = "x")#set($n = "n=$s, $undefined.")$n', "n=x, ."),  # "..." interpolates; null prints nothing
        ("#set($x = 7 / 2)$x $math", "3 "),
        ("#set($x = 7.0 / 2)$x", "3.5"),
        ("$big $small $list", "1.23456789E7 1.0E-4 [1, 2.5, null, true]"),  # Java's Double.toString, List.toString
        ("#set($x = 'a' + 1 + true)$x", "a1true"),
        ("#if(!$nothing && ($y || 1 == 1))yes#end", "yes"),
        ("## a comment\n#* a\nblock *#text #[[$not #parsed]]#", "text $not #parsed"),
        ("\\$escaped \\#if", "$escaped #if"),
        ("#set($l = [])$l.add('x')$l.isEmpty() $l", "truefalse [x]"),
        ("#set($t = 'a,b,,c')$t.split(',').size() $t.replaceAll('(\\w)', '<$1>')", "4 <a>,<b>,,<c>"),
        ("#set($t = 'a,b,,')$t.split(',')", "[a, b]"),  # Java drops the trailing empty strings
    ],
)
def test_directives_and_expressions(template: str, expected: str) -> None:
    assert _render(template, big=12345678.9, small=1e-4, list=[1, 2.5, None, True]) == expected


def test_directive_alone_on_its_line_takes_the_line() -> None:
    template = "a\n  #set($x = 1)\n  #if($x == 1)\n  b\n  #end\nc\n"
    assert _render(template) == "a\n  b\nc\n"


@pytest.mark.parametrize(
    ("template", "where", "what"),
    [
        ("{\n  #if($a\n}", "line 3 column 1", "expected `)`"),
        ("#foreach($a $list)#end", "line 1 column 13", "`in` is missing"),
        ("x\n#end", "line 2 column 1", "#end without an #if"),
        ("#if(true)open", "line 1 column 14", "#end is missing"),
        ('"$s.frobnicate()"', "line 1 column 2", "a string has no method frobnicate()"),
        ("$input.json('$.[')", "line 1 column 1", "$input.json('$.['): not a JSONPath"),
        ("#foreach($i in [1..1001])#end", "line 1 column 1", "at most 1000"),
        ("#set($r = [0..999999999])", "line 1 column 11", "a range of 1000000000 numbers"),
        ("#set($x = 'a' < 1)", "line 1 column 15", "compares two numbers or two strings"),
    ],
)
def test_errors_name_the_template_and_position(template: str, where: str, what: str) -> None:
    with pytest.raises(TemplateError) as caught:
        _render(template, s="text")
    message = str(caught.value)
    assert "'application/json'" in message
    assert where in message
    assert what in message


def test_input_json_on_a_body_that_is_not_json_says_so() -> None:
    with pytest.raises(TemplateError, match="the body is not JSON"):
        _render("$input.json('$')", body="not json")


# --- apigateway:invoke runs the integration's templates ------------------------------------------------------------


def _api(services: Any, **integration: Any) -> str:
    """A REST API with POST /orders/{order-id} integrated with the Lambda function ``echo``; its endpoint host."""
    client = services.client("apigateway")
    api = client.create_rest_api(name="shop")["id"]
    root = client.get_resources(restApiId=api)["items"][0]["id"]
    orders = client.create_resource(restApiId=api, parentId=root, pathPart="orders")["id"]
    order = client.create_resource(restApiId=api, parentId=orders, pathPart="{order-id}")["id"]
    client.put_method(restApiId=api, resourceId=order, httpMethod="POST", authorizationType="NONE")
    function = "arn:aws:lambda:us-east-1:123456789012:function:echo"
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{function}/invocations"
    response_templates = integration.pop("responseTemplates", None)
    method = {"restApiId": api, "resourceId": order, "httpMethod": "POST"}
    client.put_integration(**method, type="AWS", integrationHttpMethod="POST", uri=uri, **integration)
    templates = {"responseTemplates": response_templates} if response_templates else {}
    client.put_integration_response(**method, statusCode="200", **templates)
    client.create_deployment(restApiId=api, stageName="prod")
    return f"{api}.execute-api.us-east-1.amazonaws.com"


def _invoke(services: Any, endpoint: str) -> Any:
    import sfnkit

    machine = {
        "StartAt": "Call",
        "States": {
            "Call": {
                "Type": "Task",
                "Resource": "arn:aws:states:::apigateway:invoke",
                "Parameters": {
                    "ApiEndpoint": endpoint,
                    "Method": "POST",
                    "Path": "orders/42",
                    "Stage": "prod",
                    "QueryParameters": {"tag": ["a", "b"]},
                    "RequestBody": {"qty": 3},
                },
                "End": True,
            }
        },
    }
    return sfnkit.run(machine, {}, services=services)


def test_apigateway_invoke_runs_request_and_response_templates() -> None:
    import sfnkit

    request = (
        '{"order": "$input.params(\'order-id\')", "tag": "$input.params(\'tag\')", "qty": $input.json(\'$.qty\'), '
        '"stage": "$context.stage"}'
    )
    response = (  # $input is the function's answer now; the request's parameters are still there
        '#set($r = $input.path(\'$\')){"summary": "order $r.order x$r.qty ($r.tag, $r.stage) '
        "$input.params('order-id')\"}"
    )
    with sfnkit.aws() as services:
        services.lambdas["echo"] = lambda event, context: event
        endpoint = _api(
            services, requestTemplates={"application/json": request}, responseTemplates={"application/json": response}
        )
        execution = _invoke(services, endpoint)
        assert execution.status == "SUCCEEDED", execution.cause
        assert execution.output["ResponseBody"] == {"summary": "order 42 x3 (b, prod) 42"}
        assert execution.output["Headers"]["Content-Length"] == [str(len('{"summary": "order 42 x3 (b, prod) 42"}'))]


def test_apigateway_template_error_fails_with_500_naming_template_and_position() -> None:
    import sfnkit

    with sfnkit.aws() as services:
        services.lambdas["echo"] = lambda event, context: event
        endpoint = _api(services, requestTemplates={"application/json": "{\n  \"a\": $input.json('$.qty'\n}"})
        execution = _invoke(services, endpoint)
        assert execution.error == "ApiGateway.500"
        assert "'application/json' of the request of POST /orders/{order-id}" in execution.cause
        assert "line 3 column 1: expected `,` or `)`, found `}`" in execution.cause


def test_apigateway_without_a_matching_template_follows_passthrough_behavior() -> None:
    import sfnkit

    with sfnkit.aws() as services:
        services.lambdas["echo"] = lambda event, context: event
        endpoint = _api(services, requestTemplates={"application/xml": "<a/>"}, passthroughBehavior="NEVER")
        assert _invoke(services, endpoint).error == "ApiGateway.415"
    with sfnkit.aws() as services:
        services.lambdas["echo"] = lambda event, context: event
        endpoint = _api(services, requestTemplates={"application/xml": "<a/>"})  # WHEN_NO_MATCH: the body as sent
        assert _invoke(services, endpoint).output["ResponseBody"] == {"qty": 3}
