try {
  const data = await apiRequest(url, options);
  return data;
} catch (error) {
  console.error("API Error:", {
    url,
    status: error.status,
    code: error.code,
    message: error.message,
    correlationId: error.correlationId, // quote it to support
    timestamp: new Date().toISOString(),
  });
  throw error;
}
