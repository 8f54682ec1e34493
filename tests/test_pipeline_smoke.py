def test_plain_view_exception_becomes_status_envelope(client):
    response = client.get("/api/plain/raise/runtime/")
    assert response.status_code == 500
    assert response.json() == {
        "status": False,
        "error_code": 68300008,
        "error_message": "Service error, please try again later!",
    }
